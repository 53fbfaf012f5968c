import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { helpText, parseCli, withCommandDefaults } from '../src/config/cli-args.js';
import { ConfigError, OPTION_SPECS, createRelay, envOf, flagOf, resolveConfig } from '../src/index.js';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

function run(args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 10_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('command line', () => {
  test('--help lists every option with its flag, variable and default, and exits 0', () => {
    const r = run(['--help']);
    assert.equal(r.status, 0);
    for (const spec of OPTION_SPECS) {
      const line = r.stdout.split('\n').find((l) => l.includes(`--${flagOf(spec.key)} `));
      assert.ok(line, `--${flagOf(spec.key)} is listed`);
      assert.ok(line.includes(envOf(spec.key)), `${envOf(spec.key)} is listed`);
      assert.match(line, /\(default: .+\)$/);
    }
    assert.equal(r.stdout, helpText());
  });

  test('an unknown flag prints one line naming it plus "see --help" and exits 2', () => {
    const r = run(['--prot', '80']);
    assert.equal(r.status, 2);
    assert.equal(r.stderr, 'parley-relay: unknown option --prot (see --help)\n');
  });

  test('an invalid value fails at start with one line naming the option, never a stack trace', () => {
    const r = run(['--max-payload', '100']);
    assert.equal(r.status, 2);
    assert.equal(r.stderr.trim().split('\n').length, 1);
    assert.match(r.stderr, /^parley-relay: invalid maxPayload \(--max-payload, PARLEY_MAX_PAYLOAD\): must be from 65536 to 16777216, got 100/);
    assert.doesNotMatch(r.stderr, /\s+at /);
  });

  test('--max-token-lifetime takes whole seconds from 1 to 10 years, from the flag or PARLEY_MAX_TOKEN_LIFETIME', () => {
    assert.deepEqual(parseCli(['--max-token-lifetime', '3600'], {}), { kind: 'run', options: { maxTokenLifetime: 3600 } });
    assert.deepEqual(parseCli([], { PARLEY_MAX_TOKEN_LIFETIME: '60' }), { kind: 'run', options: { maxTokenLifetime: 60 } });
    const r = run(['--max-token-lifetime', '0']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^parley-relay: invalid maxTokenLifetime \(--max-token-lifetime, PARLEY_MAX_TOKEN_LIFETIME\): must be from 1 to 315360000, got 0/);
  });

  test('reads options from PARLEY_* variables', () => {
    const r = run([], { PARLEY_RATE_BURST: 'lots' });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /invalid rateBurst \(--rate-burst, PARLEY_RATE_BURST\): must be an integer/);
  });

  test('reads the Redis URL from PARLEY_REDIS_URL and refuses one that is not redis:// without showing its password', () => {
    const r = run([], { PARLEY_REDIS_URL: 'http://user:hunter2@example.com' });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^parley-relay: invalid redis \(--redis, PARLEY_REDIS_URL\): must be a redis:\/\/ or rediss:\/\/ URL/);
    assert.doesNotMatch(r.stderr, /hunter2/);
  });

  test('keeps history in parley-data/parley.db under the working directory by default, and says so at start', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'parley-cli-'));
    const child = spawn(process.execPath, [CLI, '--port', '0', '--host', '127.0.0.1'], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const said = await new Promise<Record<string, unknown>>((resolve, reject) => {
        child.once('exit', (code) => reject(new Error(`exited with ${code}`)));
        createInterface({ input: child.stdout! }).on('line', (line) => {
          const entry = JSON.parse(line) as Record<string, unknown>;
          if (entry.store !== undefined) resolve(entry);
        });
      });
      const file = join(cwd, 'parley-data', 'parley.db');
      assert.equal(said.store, 'sqlite');
      assert.equal(said.file, file);
      assert.equal(said.msg, `history is kept in ${file}`);
      assert.ok(existsSync(file), 'the file was made on start');
    } finally {
      child.kill('SIGKILL');
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  test('the command stores in SQLite unless a store or Redis is named', () => {
    assert.deepEqual(withCommandDefaults({ port: 0 }), { port: 0, store: 'sqlite' });
    assert.deepEqual(withCommandDefaults({ store: 'memory' }), { store: 'memory' });
    assert.deepEqual(withCommandDefaults({ redis: 'redis://127.0.0.1:6379' }), { redis: 'redis://127.0.0.1:6379' });
    assert.deepEqual(resolveConfig({}).store, { kind: 'memory' }, "createRelay's own default writes no file");
    assert.deepEqual(resolveConfig({ store: 'sqlite', dataDir: '/srv/chat' }).store, { kind: 'sqlite', path: '/srv/chat/parley.db' });
    assert.deepEqual(resolveConfig({ store: 'sqlite:/var/lib/parley.db' }).store, { kind: 'sqlite', path: '/var/lib/parley.db' });
    const pg = 'postgres://parley:secret@db.internal:5432/chat?schema=site_a';
    assert.deepEqual(resolveConfig({ store: pg }).store, { kind: 'postgres', url: pg });
    assert.deepEqual(resolveConfig({ store: pg, redis: 'redis://127.0.0.1:6379' }).store, { kind: 'postgres', url: pg }, 'PostgreSQL serves a cluster');
  });

  test('a store it does not know, a bad PostgreSQL URL, or SQLite with Redis, is refused with one line naming --store', () => {
    const bad = run(['--store', 'mysql://db']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /^parley-relay: invalid store \(--store, PARLEY_STORE\): must be memory, sqlite, sqlite:PATH or postgres:\/\/\.\.\., got "mysql:\/\/db" \(see --help\)\n$/);
    const schema = run(['--store', 'postgres://parley@127.0.0.1/chat?schema=Drop;Table']);
    assert.equal(schema.status, 2);
    assert.match(schema.stderr, /^parley-relay: invalid store \(--store, PARLEY_STORE\): schema "Drop;Table" must be lower-case letters, digits and _ \(see --help\)\n$/);
    const both = run(['--store', 'sqlite', '--redis', 'redis://127.0.0.1:6379']);
    assert.equal(both.status, 2);
    assert.match(both.stderr, /^parley-relay: invalid store \(--store, PARLEY_STORE\): an sqlite store belongs to one relay/);
  });

  test('a PostgreSQL that cannot be reached stops the start with one line, without the password', () => {
    const down = run(['--store', 'postgres://parley:hunter2@127.0.0.1:1/chat']);
    assert.equal(down.status, 1);
    assert.match(down.stderr, /^parley-relay: cannot use PostgreSQL at postgres:\/\/parley:\*\*\*@127\.0\.0\.1:1\/chat: .*\n$/);
    assert.ok(!down.stderr.includes('hunter2'));
  });

  test('a port already in use fails with one line', async () => {
    const relay = await createRelay({ port: 0, host: '127.0.0.1', log: false });
    try {
      const r = run(['--port', String(relay.port), '--host', '127.0.0.1', '--log', 'false', '--store', 'memory']);
      assert.equal(r.status, 1);
      assert.match(r.stderr, /^parley-relay: cannot listen on 127\.0\.0\.1:\d+: EADDRINUSE\n$/);
    } finally {
      await relay.close();
    }
  });

  test('maps every flag and variable onto its option, flags winning', () => {
    const r = parseCli(['--port', '0', '--origins', 'https://a.example, https://b.example', '--anonymous', 'false', '--log', 'debug'], {
      PARLEY_PORT: '9000',
      PARLEY_HISTORY_LIMIT: '7',
      PARLEY_RATE_PER_SECOND: '2.5',
    });
    assert.deepEqual(r, {
      kind: 'run',
      options: { port: 0, log: 'debug', origins: ['https://a.example', 'https://b.example'], anonymous: false, historyLimit: 7, ratePerSecond: 2.5 },
    });
    assert.deepEqual(parseCli(['-h'], {}), { kind: 'help' });
    assert.deepEqual(parseCli(['extra'], {}).kind, 'usage');
    assert.deepEqual(parseCli(['--port'], {}).kind, 'usage');
  });
});

describe('options', () => {
  test('defaults come from the protocol constants', () => {
    const c = resolveConfig();
    assert.equal(c.port, 8080);
    assert.equal(c.host, '0.0.0.0');
    assert.equal(c.log, 'info');
    assert.equal(c.anonymous, true);
    assert.equal(c.defaultRoom, 'lobby');
    assert.equal(c.historyLimit, 1000);
    assert.equal(c.inboxLimit, 500);
    assert.equal(c.maxPayload, 1_048_576);
    assert.equal(c.sendBufferBytes, 4_194_304);
    assert.deepEqual(c.origins, []);
    assert.match(c.staticDir, /demo\/?$/);
    assert.match(c.widgetFile, /packages\/widget\/dist\/widget\.js$/);
    assert.match(c.clientFile, /packages\/client\/dist\/parley-client\.min\.js$/);
    assert.equal(c.serveTestPages, false);
    assert.equal(c.maxTokenLifetime, 2_592_000, '30 days');
  });

  test('createRelay rejects an invalid option with a ConfigError naming it', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ port: 70_000 }, 'port'],
      [{ port: 1.5 }, 'port'],
      [{ maxPayload: 1024 }, 'maxPayload'],
      [{ maxPayload: 200_000_000 }, 'maxPayload'],
      [{ maxTextLength: 5000 }, 'maxTextLength'],
      [{ origins: ['not an origin'] }, 'origins'],
      [{ origins: ['https://a.example/path'] }, 'origins'],
      [{ trustedProxies: ['proxy.example'] }, 'trustedProxies'],
      [{ trustedProxies: ['10.0.0.0/33'] }, 'trustedProxies'],
      [{ trustedProxies: '10.0.0.1' }, 'trustedProxies'],
      [{ tokenSecret: 'short' }, 'tokenSecret'],
      [{ maxTokenLifetime: 0 }, 'maxTokenLifetime'],
      [{ maxTokenLifetime: 1.5 }, 'maxTokenLifetime'],
      [{ anonymous: 'yes' }, 'anonymous'],
      [{ log: 'loud' }, 'log'],
      [{ defaultRoom: 'no spaces' }, 'defaultRoom'],
      [{ rateBurst: 0 }, 'rateBurst'],
      [{ noSuchOption: 1 }, 'noSuchOption'],
    ];
    for (const [options, key] of cases) {
      await assert.rejects(createRelay(options as never), (err: unknown) => {
        assert.ok(err instanceof ConfigError, key);
        assert.equal(err.option, key);
        assert.ok(!err.message.includes('\n'), 'one line');
        assert.ok(err.message.includes(key), err.message);
        return true;
      });
    }
  });
});
