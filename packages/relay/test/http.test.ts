import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { RelayHandle } from '../src/index.js';
import { Harness, eventually, get } from './helpers.js';

/** A raw GET, so paths like `/../x` reach the relay unnormalized. */
function rawGet(relay: RelayHandle, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: relay.port, path, method: 'GET' }, (res) => {
      res.resume();
      resolve(res.statusCode!);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('HTTP side', () => {
  const h = new Harness();
  let relay: RelayHandle;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'parley-relay-'));
    mkdirSync(join(dir, 'demo', 'sub'), { recursive: true });
    writeFileSync(join(dir, 'demo', 'index.html'), '<!doctype html><title>demo</title>');
    writeFileSync(join(dir, 'demo', 'app.css'), 'body{}');
    writeFileSync(join(dir, 'demo', 'sub', 'index.html'), 'sub');
    writeFileSync(join(dir, 'secret.txt'), 'do not serve');
    symlinkSync(join(dir, 'secret.txt'), join(dir, 'demo', 'link.txt'));
    writeFileSync(join(dir, 'widget.js'), 'console.log("widget")\n//# sourceMappingURL=widget.js.map');
    writeFileSync(join(dir, 'widget.js.map'), '{"version":3,"file":"widget.js"}');
    writeFileSync(join(dir, 'client.min.js'), 'export const createClient = 1;\n//# sourceMappingURL=client.min.js.map');
    writeFileSync(join(dir, 'client.min.js.map'), '{"version":3}');
    mkdirSync(join(dir, 'demo', 'test'));
    writeFileSync(join(dir, 'demo', 'test', 'embed.html'), 'fixture');
    relay = await h.relay({ staticDir: join(dir, 'demo'), widgetFile: join(dir, 'widget.js'), clientFile: join(dir, 'client.min.js') });
  });
  after(async () => {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('serves the demo folder at / with content types', async () => {
    const index = await get(relay, '/');
    assert.equal(index.status, 200);
    assert.equal(index.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.match(index.text, /<title>demo/);
    const css = await get(relay, '/app.css');
    assert.equal(css.headers.get('content-type'), 'text/css; charset=utf-8');
    assert.equal((await get(relay, '/sub/')).text, 'sub');
    assert.equal((await get(relay, '/missing.html')).status, 404);
  });

  test('never serves a file outside the demo folder', async () => {
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/sub/..%2f..%2fsecret.txt', '/..%5csecret.txt', '/link.txt', '/%00']) {
      assert.equal(await rawGet(relay, path), 404, path);
    }
  });

  test('serves the widget bundle at /widget.js, and the source map its comment names', async () => {
    const r = await get(relay, '/widget.js');
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.equal(r.text, 'console.log("widget")\n//# sourceMappingURL=widget.js.map');
    const mapName = /sourceMappingURL=(\S+)/.exec(r.text)![1]!;
    const map = await get(relay, `/${mapName}`);
    assert.deepEqual([map.status, map.headers.get('content-type'), map.text], [200, 'application/json; charset=utf-8', '{"version":3,"file":"widget.js"}']);
  });

  test('answers /widget.js and its map with a readable 404 when the bundle is not built', async () => {
    const bare = await h.relay({ widgetFile: join(dir, 'nope.js') });
    for (const path of ['/widget.js', '/widget.js.map']) {
      const r = await get(bare, path);
      assert.equal(r.status, 404, path);
      assert.match(r.text, /not built/, path);
    }
  });

  test('serves the client SDK bundle at /parley-client.js and its source map, with the widget bundle\'s caching', async () => {
    const r = await get(relay, '/parley-client.js');
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.equal(r.headers.get('cache-control'), (await get(relay, '/widget.js')).headers.get('cache-control'));
    assert.match(r.text, /^export const createClient/);
    for (const path of ['/parley-client.js.map', '/parley-client.min.js.map']) {
      const map = await get(relay, path);
      assert.deepEqual([map.status, map.headers.get('content-type'), map.text], [200, 'application/json; charset=utf-8', '{"version":3}'], path);
    }
  });

  test('answers /parley-client.js and its map with a readable 404 when the client is not built', async () => {
    const bare = await h.relay({ clientFile: join(dir, 'nope.js') });
    for (const path of ['/parley-client.js', '/parley-client.js.map']) {
      const r = await get(bare, path);
      assert.equal(r.status, 404, path);
      assert.match(r.text, /client SDK bundle is not built yet: run `npm run build`/);
    }
  });

  test('serves the test fixtures folder only with serveTestPages, however the path spells it', async () => {
    for (const path of ['/test/embed.html', '/test/', '/%74est/embed.html', '/./test/embed.html', '/sub/%2e%2e/test/embed.html']) {
      assert.equal(await rawGet(relay, path), 404, path);
    }
    const testing = await h.relay({ staticDir: join(dir, 'demo'), serveTestPages: true });
    const r = await get(testing, '/test/embed.html');
    assert.deepEqual([r.status, r.text], [200, 'fixture']);
  });

  test('answers GET /healthz with status, connections, rooms and uptime', async () => {
    await h.chat(relay, { nick: 'healthy', rooms: [{ room: 'hz', since: 0 }] });
    const r = await get(relay, '/healthz');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type')!, /application\/json/);
    const body = JSON.parse(r.text) as Record<string, unknown>;
    assert.equal(body.status, 'ok');
    assert.equal(body.connections, 1);
    assert.equal(body.rooms, 1);
    assert.equal(typeof body.uptime, 'number');
  });

  test('answers GET /metrics in Prometheus text format, counting traffic, errors, closes and latency', async () => {
    const fresh = await h.relay();
    const a = await h.chat(fresh, { nick: 'ma', rooms: [{ room: 'm', since: 0 }] });
    const b = await h.chat(fresh, { nick: 'mb', rooms: [{ room: 'm', since: 0 }] });
    a.send({ type: 'send', room: 'm', text: 'counted', cid: 'c1' });
    await b.next('msg');
    a.send('not json');
    await a.next('error');
    await b.close();
    // the client sees its close before the relay has necessarily counted it
    await eventually(async () => /^parley_closes_total\{reason="client"\} 1$/m.test((await get(fresh, '/metrics')).text), 'b\'s close to be counted');
    const r = await get(fresh, '/metrics');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type')!, /^text\/plain; version=0\.0\.4/);
    const m = r.text;
    assert.match(m, /^parley_connections 1$/m);
    assert.match(m, /^parley_rooms 1$/m);
    assert.match(m, /^parley_messages_in_total\{kind="send"\} 1$/m);
    assert.match(m, /^parley_messages_accepted_total\{kind="room"\} 1$/m);
    assert.match(m, /^parley_deliveries_total\{kind="room"\} 2$/m);
    assert.match(m, /^parley_errors_total\{code="bad_json"\} 1$/m);
    assert.match(m, /^parley_closes_total\{reason="client"\} 1$/m);
    assert.match(m, /^parley_delivery_latency_seconds_count 1$/m);
    const out = (text: string, name: string): number => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1]);
    const [messages, frames] = [out(m, 'parley_messages_out_total'), out(m, 'parley_frames_out_total')];
    assert.ok(messages >= 5 && frames >= 4 && frames <= messages, `${messages} envelopes in ${frames} frames`);
    // counted between scrapes too: each envelope once, in one frame
    a.send({ type: 'ping' });
    await a.next('pong');
    const again = (await get(fresh, '/metrics')).text;
    assert.deepEqual([out(again, 'parley_messages_out_total'), out(again, 'parley_frames_out_total')], [messages + 1, frames + 1]);
  });

  test('answers a plain HTTP request to /chat with 426 and a readable body', async () => {
    const r = await get(relay, '/chat');
    assert.equal(r.status, 426);
    assert.match(r.text, /WebSocket endpoint/);
  });

  test('answers other methods with 405', async () => {
    assert.equal((await get(relay, '/', { method: 'POST', body: 'x' })).status, 405);
  });

  test('refuses an upgrade to an unknown path with 404', async () => {
    await assert.rejects(h.open(relay.url.replace(/^http/, 'ws') + '/nowhere'), { status: 404 });
  });
});

describe('origin allowlist', () => {
  const h = new Harness();
  let relay: RelayHandle;
  before(async () => {
    relay = await h.relay({ origins: ['https://good.example'] });
  });
  after(() => h.close());

  test('refuses an upgrade from another origin with 403 before the WebSocket opens', async () => {
    await assert.rejects(h.open(relay.wsUrl, 'parley.v1', { origin: 'https://evil.example' }), { status: 403 });
    await assert.rejects(h.open(relay.url.replace(/^http/, 'ws') + '/ws/x', [], { origin: 'https://evil.example' }), { status: 403 });
  });

  test('refuses an upgrade without an Origin header', async () => {
    await assert.rejects(h.open(relay.wsUrl), { status: 403 });
  });

  test('accepts an upgrade from an allowed origin', async () => {
    const c = await h.open(relay.wsUrl, 'parley.v1', { origin: 'https://good.example' });
    await c.hello({ nick: 'welcome' });
  });

  test('allows every origin when none is configured', async () => {
    const open = await h.relay();
    const c = await h.open(open.wsUrl, 'parley.v1', { origin: 'https://anywhere.example' });
    await c.hello({ nick: 'anyone' });
  });
});
