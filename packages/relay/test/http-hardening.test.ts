// The plain HTTP side under slow and odd requests: every request is timed,
// not only a connection's first; kept-alive sockets count per address;
// folder redirects stay on the relay; /metrics can be kept private; pages
// and bundles carry nosniff and pages a frame policy (security.md § Plain HTTP).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { ConfigError, createRelay, type RelayHandle } from '../src/index.js';
import { FRAME_POLICY } from '../src/http/static-files.js';
import { HTTP_TIMEOUT_CHECK_MS } from '../src/http/server-timeouts.js';
import { Harness, eventually, get, sleep } from './helpers.js';

/** The hello timeout of this file's relays, ms: it bounds every HTTP request. */
const HELLO_TIMEOUT_MS = 300;
/** How often the tests drip a byte, ms: well inside Node's 5 s keep-alive idle timeout. */
const DRIP_EVERY_MS = 100;
/** Slack for a loaded, shared machine, ms. */
const SLACK_MS = 1500;
/** A token of the length `metricsToken` asks for. */
const TOKEN = 'metrics-token-0123456789abcdef-0123456789';

/** A raw TCP client of the relay that records what it is sent and when it closed. */
class RawClient {
  readonly socket: Socket;
  text = '';
  /** Resolves with the ms from connecting to the close. */
  readonly closed: Promise<number>;
  readonly connected: Promise<void>;
  private drip: NodeJS.Timeout | undefined;

  constructor(port: number) {
    const started = Date.now();
    this.socket = connect(port, '127.0.0.1');
    this.socket.on('error', () => {});
    this.socket.on('data', (d: Buffer) => (this.text += d.toString('latin1')));
    this.connected = new Promise((resolve) => this.socket.once('connect', () => resolve()));
    this.closed = new Promise((resolve) =>
      this.socket.once('close', () => {
        clearInterval(this.drip);
        resolve(Date.now() - started);
      }),
    );
  }

  /** Status lines received so far. */
  get statuses(): number[] {
    return [...this.text.matchAll(/^HTTP\/1\.1 (\d{3}) /gm)].map((m) => Number(m[1]));
  }

  write(text: string): void {
    if (!this.socket.destroyed) this.socket.write(text);
  }

  /** Writes `text` every {@link DRIP_EVERY_MS} until the socket closes. */
  dripping(text: string): void {
    this.drip = setInterval(() => this.write(text), DRIP_EVERY_MS);
  }

  /** Resolves once `n` answers have begun. */
  answered(n: number): Promise<void> {
    return eventually(() => this.statuses.length >= n || this.socket.destroyed, `${n} answer(s)`).then(() => {
      assert.ok(this.statuses.length >= n, `the socket closed after ${this.statuses.length} answer(s)`);
    });
  }

  destroy(): void {
    clearInterval(this.drip);
    this.socket.destroy();
  }
}

describe('slow HTTP requests', () => {
  const h = new Harness();
  let relay: RelayHandle;
  const clients: RawClient[] = [];
  const client = (port = relay.port): RawClient => {
    const c = new RawClient(port);
    clients.push(c);
    return c;
  };
  before(async () => {
    relay = await h.relay({ helloTimeoutMs: HELLO_TIMEOUT_MS });
  });
  after(async () => {
    for (const c of clients) c.destroy();
    await h.close();
  });

  test('a kept-alive socket that drips its second request is cut within the hello timeout of that request', async () => {
    const c = client();
    c.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    await c.answered(1);
    const started = Date.now();
    c.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
    c.dripping('X-Drip: 1\r\n');
    await c.closed;
    const held = Date.now() - started;
    // Node looks for late requests every HTTP_TIMEOUT_CHECK_MS (by default it gave 60 s, looked every 30 s)
    assert.ok(held >= HELLO_TIMEOUT_MS - 50 && held < HELLO_TIMEOUT_MS + HTTP_TIMEOUT_CHECK_MS + SLACK_MS, `held ${held} ms`);
    assert.deepEqual(c.statuses, [200, 408]);
  });

  test('a request that carries a body is answered and its socket closed, however slowly the body comes', async () => {
    const requests = [
      'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n',
      'GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n',
      'GET /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n',
    ];
    const cs = requests.map((r) => {
      const c = client();
      c.write(r);
      c.dripping('a');
      return c;
    });
    const times = await Promise.all(cs.map((c) => c.closed));
    for (const t of times) assert.ok(t < SLACK_MS, `closed after ${t} ms`);
    assert.deepEqual(
      cs.map((c) => [c.statuses, /\r\nconnection: close\r\n/i.test(c.text)]),
      [
        [[405], true],
        [[200], true],
        [[200], true],
      ],
    );
  });

  test('a kept-alive socket counts against its address until it closes, and the next one is served once it has', async () => {
    const port = (await h.relay({ helloTimeoutMs: HELLO_TIMEOUT_MS, maxConnectionsPerIp: 3 })).port;
    const kept = [1, 2, 3].map(() => client(port));
    for (const c of kept) c.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    await Promise.all(kept.map((c) => c.answered(1)));
    const over = client(port);
    await over.connected;
    over.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.ok((await over.closed) < SLACK_MS, 'the fourth is destroyed at once');
    assert.deepEqual(over.statuses, [], 'and answered nothing');
    kept[0]!.destroy();
    await kept[0]!.closed;
    // the relay hears of the close a moment after the client
    await eventually(async () => {
      const next = client(port);
      next.write('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      await next.closed;
      return next.statuses[0] === 200;
    }, 'a new socket to be served');
  });

  test('a kept-alive socket still serves request after request, each in time', async () => {
    const c = client();
    for (let i = 1; i <= 3; i++) {
      c.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
      await c.answered(i);
      // idle between requests past the hello timeout: only a started request is timed
      await sleep(HELLO_TIMEOUT_MS + 100);
    }
    assert.equal(c.socket.destroyed, false);
    assert.deepEqual(c.statuses, [200, 200, 200]);
  });
});

/** A raw GET (paths reach the relay unnormalized): status and headers. */
function rawGet(port: number, path: string): Promise<{ status: number; location: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET' }, (res) => {
      res.resume();
      resolve({ status: res.statusCode!, location: res.headers.location });
    });
    req.on('error', reject);
    req.end();
  });
}

describe('served files', () => {
  const h = new Harness();
  let relay: RelayHandle;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'parley-hardening-'));
    mkdirSync(join(dir, 'demo', 'sub'), { recursive: true });
    mkdirSync(join(dir, 'demo', 'test'));
    writeFileSync(join(dir, 'demo', 'index.html'), '<!doctype html><title>demo</title>');
    writeFileSync(join(dir, 'demo', 'sub', 'index.html'), 'sub');
    writeFileSync(join(dir, 'demo', 'site.css'), 'body{}');
    writeFileSync(join(dir, 'demo', 'test', 'embed.html'), 'fixture');
    writeFileSync(join(dir, 'widget.js'), 'console.log("widget")');
    writeFileSync(join(dir, 'client.min.js'), 'export const createClient = 1;');
    relay = await h.relay({ staticDir: join(dir, 'demo'), widgetFile: join(dir, 'widget.js'), clientFile: join(dir, 'client.min.js') });
  });
  after(async () => {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a folder redirect never points at a path starting with // (another host)', async () => {
    for (const path of ['/.//sub', '/.///sub', '/././/sub', '/sub/..//sub', '/.%2F/sub']) {
      const r = await rawGet(relay.port, path);
      if (r.status !== 301) continue;
      assert.ok(r.location !== undefined && !/^[/\\]{2}/.test(r.location), `${path} → ${r.location}`);
      assert.equal(new URL(r.location, relay.url).host, new URL(relay.url).host, path);
    }
    assert.deepEqual(await rawGet(relay.port, '/.//sub'), { status: 301, location: '/sub/' });
    assert.deepEqual(await rawGet(relay.port, '/sub'), { status: 301, location: '/sub/' });
  });

  test("pages say nosniff and frame-ancestors 'self'; bundles and styles say nosniff and no frame policy", async () => {
    for (const path of ['/', '/sub/']) {
      const r = await get(relay, path);
      assert.equal(r.headers.get('x-content-type-options'), 'nosniff', path);
      assert.equal(r.headers.get('content-security-policy'), FRAME_POLICY, path);
    }
    assert.equal(FRAME_POLICY, "frame-ancestors 'self'");
    for (const path of ['/widget.js', '/parley-client.js', '/site.css']) {
      const r = await get(relay, path);
      assert.equal(r.status, 200, path);
      assert.equal(r.headers.get('x-content-type-options'), 'nosniff', path);
      assert.equal(r.headers.get('content-security-policy'), null, path);
      assert.equal(r.headers.get('x-frame-options'), null, path);
    }
  });

  test('/healthz, /metrics and error answers say nosniff too', async () => {
    for (const path of ['/healthz', '/metrics', '/missing.html', '/chat']) {
      assert.equal((await get(relay, path)).headers.get('x-content-type-options'), 'nosniff', path);
    }
  });

  test('the browser-test fixtures, served only with serveTestPages, may be framed by the test runner\'s page', async () => {
    const testing = await h.relay({ staticDir: join(dir, 'demo'), serveTestPages: true });
    const r = await get(testing, '/test/embed.html');
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-security-policy'), null);
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
    assert.equal((await get(testing, '/')).headers.get('content-security-policy'), FRAME_POLICY);
  });
});

describe('private metrics', () => {
  const h = new Harness();
  after(() => h.close());

  test('with metricsPort, /metrics is served on its own listener and the chat port answers 404 for it', async () => {
    const relay = await h.relay({ metricsPort: 0 });
    const own = new URL(relay.metricsUrl);
    assert.equal(own.hostname, '127.0.0.1', 'loopback by default');
    assert.notEqual(Number(own.port), relay.port);
    const scrape = await fetch(relay.metricsUrl);
    assert.equal(scrape.status, 200);
    assert.match(await scrape.text(), /^# TYPE parley_connections gauge$/m);
    assert.equal((await get(relay, '/metrics')).status, 404);
    assert.equal((await get(relay, '/healthz')).status, 200, '/healthz stays on the chat port');
    for (const path of ['/', '/healthz', '/widget.js']) assert.equal((await fetch(new URL(path, relay.metricsUrl))).status, 404, path);
  });

  test('without metricsPort, /metrics stays on the chat port', async () => {
    const relay = await h.relay();
    assert.equal(relay.metricsUrl, relay.url + '/metrics');
    assert.equal((await get(relay, '/metrics')).status, 200);
  });

  test('with metricsToken, a scrape needs Authorization: Bearer <token>, on either port', async () => {
    for (const options of [{ metricsToken: TOKEN }, { metricsToken: TOKEN, metricsPort: 0 }]) {
      const relay = await h.relay(options);
      const scrape = (authorization?: string): Promise<Response> => fetch(relay.metricsUrl, { headers: authorization ? { authorization } : {} });
      for (const wrong of [undefined, 'Bearer wrong', `Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(0, -1)}`, `Basic ${TOKEN}`, TOKEN]) {
        const r = await scrape(wrong);
        assert.equal(r.status, 401, String(wrong));
        assert.equal(r.headers.get('www-authenticate'), 'Bearer realm="parley-metrics"');
        assert.doesNotMatch(await r.text(), /parley_/);
      }
      const ok = await scrape(`Bearer ${TOKEN}`);
      assert.equal(ok.status, 200);
      assert.match(await ok.text(), /^parley_connections /m);
      assert.equal((await get(relay, '/healthz')).status, 200, '/healthz needs no token');
    }
  });

  test('the metrics options are checked, and a short token is refused without being shown', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ metricsHost: '127.0.0.1' }, 'metricsHost'],
      [{ port: 9190, metricsPort: 9190 }, 'metricsPort'],
      [{ metricsPort: 70_000 }, 'metricsPort'],
      [{ metricsToken: 'short-secret-value' }, 'metricsToken'],
    ];
    for (const [options, key] of cases) {
      await assert.rejects(createRelay({ port: 0, log: false, ...options } as never), (err: unknown) => {
        assert.ok(err instanceof ConfigError, key);
        assert.equal(err.option, key);
        assert.doesNotMatch(err.message, /short-secret-value/);
        return true;
      });
    }
  });

  test('the relay never logs the metrics token, at debug, on start, scrapes and refusals', async () => {
    const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
    const cwd = mkdtempSync(join(tmpdir(), 'parley-metrics-'));
    const child = spawn(process.execPath, [cli, '--port', '0', '--host', '127.0.0.1', '--metrics-port', '0', '--log', 'debug', '--store', 'memory'], {
      cwd,
      env: { ...process.env, PARLEY_METRICS_TOKEN: TOKEN },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    try {
      const metricsUrl = await new Promise<string>((resolve, reject) => {
        child.once('exit', (code) => reject(new Error(`exited with ${code}`)));
        createInterface({ input: child.stdout! }).on('line', (line) => {
          lines.push(line);
          const entry = JSON.parse(line) as { metricsUrl?: string };
          if (entry.metricsUrl) resolve(entry.metricsUrl);
        });
      });
      assert.equal((await fetch(metricsUrl, { headers: { authorization: `Bearer ${TOKEN}` } })).status, 200);
      assert.equal((await fetch(metricsUrl, { headers: { authorization: `Bearer ${TOKEN}-wrong` } })).status, 401);
      const stopped = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await stopped;
      assert.ok(lines.length > 2, 'the relay logged');
      for (const line of lines) assert.ok(!line.includes(TOKEN.slice(0, 16)), line);
    } finally {
      child.kill('SIGKILL');
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});
