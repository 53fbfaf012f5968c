/**
 * Retention and per-user data from the command line: `--retention` is
 * checked like every option, and `parley-relay user export|erase <id>` works
 * on the file a relay writes, while that relay runs.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, test } from 'node:test';
import { ConfigError, createRelay, resolveConfig } from '../src/index.js';
import { Harness } from './helpers.js';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'parley-cli-data-'));
after(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the command (without blocking the event loop, so a relay in this process goes on serving). */
function run(args: string[], env: Record<string, string> = {}, cwd = dir): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('error', reject);
    child.once('exit', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

const RETENTION = /^parley-relay: invalid retention \(--retention, PARLEY_RETENTION\): /;

describe('--retention', () => {
  test('reads an age, a count, both, or forever', () => {
    assert.deepEqual(resolveConfig({ retention: '30d' }).retention, { maxAgeMs: 30 * 86_400_000 });
    assert.deepEqual(resolveConfig({ retention: '10000' }).retention, { maxCount: 10_000 });
    assert.deepEqual(resolveConfig({ retention: '30d,10000' }).retention, { maxAgeMs: 30 * 86_400_000, maxCount: 10_000 });
    assert.deepEqual(resolveConfig({ retention: ' 500 , 12h ' }).retention, { maxAgeMs: 12 * 3_600_000, maxCount: 500 });
    assert.deepEqual(resolveConfig({ retention: '90min' }).retention, { maxAgeMs: 90 * 60_000 });
    assert.deepEqual(resolveConfig({ retention: '2w' }).retention, { maxAgeMs: 14 * 86_400_000 });
    assert.deepEqual(resolveConfig({ retention: 'forever' }).retention, {});
    assert.deepEqual(resolveConfig({}).retention, {}, 'the default keeps everything');
  });

  test('refuses a value that is not one, with one line naming the option, and exits 2', async () => {
    const cases: Array<[string, RegExp]> = [
      ['6m', /m is ambiguous: write min for minutes or d for days, got 6m \(see --help\)$/],
      ['lots', /must be an age \(30d; units s, min, h, d, w\), a count \(10000\), both \(30d,10000\) or forever, got "lots"/],
      ['30d,40d', /give at most one age/],
      ['10,20', /give at most one count/],
      ['0', /a count must be from 1 to 1000000000, got 0/],
      ['0s', /an age must be from 1s to 36500d, got 0s/],
      ['30d,', /got ""/],
    ];
    for (const [value, why] of cases) {
      const r = await run(['--retention', value, '--store', 'memory', '--port', '0']);
      assert.equal(r.status, 2, value);
      assert.match(r.stderr, RETENTION, value);
      assert.match(r.stderr.trimEnd(), why, value);
      assert.equal(r.stderr.trim().split('\n').length, 1, 'one line');
    }
    const env = await run(['--store', 'memory', '--port', '0'], { PARLEY_RETENTION: '1y' });
    assert.equal(env.status, 2);
    assert.match(env.stderr, RETENTION, 'read from PARLEY_RETENTION');
  });

  test('is refused with redis, whose limits bound its history, and by a store that cannot prune', async () => {
    const r = await run(['--retention', '30d', '--redis', 'redis://127.0.0.1:6379', '--port', '0']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^parley-relay: invalid retention \(--retention, PARLEY_RETENTION\): cannot be combined with redis/);
    const bare = { appendRoom() {}, appendDirect() {}, roomSeq: () => 0, roomHead: () => ({ seq: 0, epoch: 'e' }), inboxSeq: () => 0, replayRoom: () => ({ messages: [] }), replayInbox: () => ({ messages: [] }), pageRoom: () => ({ messages: [], more: false }), pageInbox: () => ({ messages: [], more: false }), dropRoom() {}, dropInbox() {} };
    await assert.rejects(createRelay({ port: 0, log: false, retention: '10' }, { store: bare as never }), (err: unknown) => err instanceof ConfigError && err.option === 'retention');
    await assert.rejects(createRelay({ port: 0, log: false, retention: 10 as never }), (err: unknown) => err instanceof ConfigError && err.option === 'retention');
  });
});

describe('parley-relay user', () => {
  const h = new Harness();
  after(() => h.close());

  test('exports and erases a user of the file a running relay writes, and the relay serves on with the tombstones', async () => {
    const data = join(dir, 'running');
    const relay = await createRelay({ port: 0, host: '127.0.0.1', log: false, store: 'sqlite', dataDir: data });
    try {
      const ada = await h.chat(relay, { nick: 'ada', rooms: [{ room: 'lobby', since: 0 }] });
      const bob = await h.chat(relay, { nick: 'bob', rooms: [{ room: 'lobby', since: 0 }] });
      ada.send({ type: 'send', room: 'lobby', text: 'first', cid: 'c1' });
      await ada.next('ack');
      bob.send({ type: 'send', room: 'lobby', text: 'reply', cid: 'c1' });
      await bob.next('ack');
      ada.send({ type: 'dm', to: 'bob', text: 'psst', cid: 'c2' });
      await ada.next('ack');
      ada.send({ type: 'send', room: 'lobby', text: 'second', cid: 'c3' });
      await ada.next('ack');

      const exported = await run(['user', 'export', 'ada'], { PARLEY_DATA_DIR: data });
      assert.equal(exported.status, 0, exported.stderr);
      const out = JSON.parse(exported.stdout) as { user: string; rooms: Array<{ text: string; seq: number }>; direct: Array<{ text: string; to: string }> };
      assert.equal(out.user, 'ada');
      assert.deepEqual(out.rooms.map((m) => [m.seq, m.text]), [[1, 'first'], [3, 'second']]);
      assert.deepEqual(out.direct.map((m) => [m.to, m.text]), [['bob', 'psst']]);
      const bobs = JSON.parse((await run(['user', 'export', 'bob', '--data-dir', data])).stdout) as { direct: Array<{ text: string }> };
      assert.deepEqual(bobs.direct.map((m) => m.text), ['psst'], "an anonymous user's inbox a live relay holds is not dropped by the command");

      const erased = await run(['user', 'erase', 'ada', '--store', `sqlite:${join(data, 'parley.db')}`]);
      assert.equal(erased.status, 0, erased.stderr);
      assert.deepEqual(JSON.parse(erased.stdout), { user: 'ada', roomMessages: 2, directMessages: 1, inboxMessages: 1 });

      bob.send({ type: 'history', room: 'lobby', qid: 'q1' });
      const page = (await bob.next('page')).messages as Array<Record<string, unknown>>;
      assert.deepEqual(page.map((m) => [m.seq, m.from, m.text, m.deleted]), [[3, '', '', true], [2, 'bob', 'reply', undefined], [1, '', '', true]]);
      ada.send({ type: 'send', room: 'lobby', text: 'after', cid: 'c4' });
      assert.equal((await ada.next('ack')).seq, 4, "the relay's numbering was not disturbed");
      assert.equal((await bob.next('msg', (e) => e.text === 'after')).seq, 4);
      const again = await run(['user', 'erase', 'ada'], { PARLEY_DATA_DIR: data });
      assert.deepEqual(JSON.parse(again.stdout), { user: 'ada', roomMessages: 1, directMessages: 0, inboxMessages: 0 }, 'only what was sent since');
    } finally {
      await relay.close();
    }
  });

  test('says what is wrong with the command in one line and exits 2', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['user'], /^parley-relay: user needs a command: parley-relay user export\|erase <id>/],
      [['user', 'delete', 'ada'], /^parley-relay: unknown user command "delete": parley-relay user export\|erase <id>/],
      [['user', 'export'], /^parley-relay: user export needs a user id: /],
      [['user', 'erase', 'ada', 'bob'], /^parley-relay: unexpected argument bob \(see --help\)\n$/],
      [['user', 'export', 'ada', '--prot', '1'], /^parley-relay: unknown option --prot \(see --help\)\n$/],
      [['user', 'export', 'ada', '--store', 'memory'], /^parley-relay: invalid store \(--store, PARLEY_STORE\): the memory store keeps nothing between runs/],
      [['user', 'export', 'ada', '--store', 'mysql://db'], /^parley-relay: invalid store \(--store, PARLEY_STORE\): must be memory, sqlite/],
    ];
    for (const [args, why] of cases) {
      const r = await run(args);
      assert.equal(r.status, 2, args.join(' '));
      assert.match(r.stderr, why, args.join(' '));
      assert.equal(r.stderr.trim().split('\n').length, 1, 'one line');
      assert.equal(r.stdout, '');
    }
  });

  test('looks for the file where the relay keeps it (parley-data/ in the working directory), and makes none', async () => {
    const cwd = join(dir, 'empty');
    mkdirSync(cwd);
    const r = await run(['user', 'export', 'ada'], {}, cwd);
    assert.equal(r.status, 1);
    assert.equal(r.stderr, `parley-relay: there is no store at ${join(cwd, 'parley-data', 'parley.db')} (check --store and --data-dir)\n`);
    const help = await run(['user', '--help']);
    assert.equal(help.status, 0);
    assert.match(help.stdout, /parley-relay user export\|erase <id>/);
  });
});
