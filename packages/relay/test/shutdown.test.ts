import { CloseCode } from '@parley/protocol';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { after, describe, test } from 'node:test';
import { MemoryStore, createRelay } from '../src/index.js';
import type { RoomAppend, RoomDraft } from '../src/store/store.js';
import { Harness, TEST_OPTIONS } from './helpers.js';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

/** A memory store whose room appends take `ms`, so a send is still in flight when shutdown starts. */
class SlowStore extends MemoryStore {
  private started!: () => void;
  /** Resolves when the first append starts (it is then in flight for `ms`). */
  readonly appending = new Promise<void>((resolve) => (this.started = resolve));

  constructor(private readonly ms: number) {
    super({ historyLimit: 100, inboxLimit: 100 });
  }
  override appendRoom(draft: RoomDraft, user: string, cid: string): RoomAppend {
    this.started();
    return new Promise<RoomAppend>((resolve) => setTimeout(() => resolve(super.appendRoom(draft, user, cid)), this.ms)) as unknown as RoomAppend;
  }
}

/** Starts the real CLI and resolves with the process and the port from its JSON start-up log. */
async function startCli(args: string[]): Promise<{ child: ChildProcess; port: number; logs: string[] }> {
  const child = spawn(process.execPath, [CLI, '--port', '0', '--host', '127.0.0.1', '--log', 'info', '--store', 'memory', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines = createInterface({ input: child.stdout! });
  const logs: string[] = [];
  lines.on('line', (line) => logs.push(line));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the CLI did not log its port')), 10_000);
    lines.on('line', (line) => {
      const entry = JSON.parse(line) as { port?: number; msg: string };
      if (entry.port !== undefined && entry.msg.startsWith('relay listening')) {
        clearTimeout(timer);
        resolve(entry.port);
      }
    });
    child.once('exit', (code) => reject(new Error(`the CLI exited with ${code}`)));
  });
  return { child, port, logs };
}

describe('graceful shutdown', () => {
  const h = new Harness();
  const children: ChildProcess[] = [];
  after(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await h.close();
  });

  test('close() tells every client 1001 and resolves once all are closed', async () => {
    const relay = await createRelay(TEST_OPTIONS);
    const base = relay.url.replace(/^http/, 'ws');
    const chat = await h.chat(relay, { nick: 'ada', rooms: [{ room: 'lobby', since: 0 }] });
    const seed = await h.open(base + '/ws/bob', []);
    const echo = await h.open(base + '/ws', []);
    const fresh = await h.open(relay.wsUrl);
    await relay.close();
    for (const c of [chat, seed, echo, fresh]) assert.equal((await c.closedWithin()).code, CloseCode.GoingAway);
    await assert.rejects(fetch(relay.url + '/healthz'));
  });

  test('finishes an in-flight send: its ack is written before the 1001 close', async () => {
    const store = new SlowStore(300);
    const relay = await createRelay(TEST_OPTIONS, { store });
    const c = await h.chat(relay, { nick: 'inflight', rooms: [{ room: 'r', since: 0 }] });
    c.send({ type: 'send', room: 'r', text: 'last words', cid: 'last' });
    await store.appending; // the send is in flight
    const closing = relay.close();
    const ack = await c.next('ack');
    assert.equal(ack.cid, 'last');
    assert.equal((await c.closedWithin()).code, CloseCode.GoingAway);
    await closing;
  });

  test('ignores frames that arrive after shutdown began', async () => {
    const store = new SlowStore(300);
    const relay = await createRelay(TEST_OPTIONS, { store });
    const c = await h.chat(relay, { nick: 'late', rooms: [{ room: 'r', since: 0 }] });
    c.send({ type: 'send', room: 'r', text: 'first', cid: 'a' });
    await store.appending; // the send is in flight
    const closing = relay.close();
    c.send({ type: 'send', room: 'r', text: 'too late', cid: 'b' });
    await c.closedWithin();
    await closing;
    assert.deepEqual(c.received.filter((e) => e.type === 'ack').map((e) => e.cid), ['a']);
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    test(`the CLI closes clients with 1001 and exits 0 on ${signal}`, async () => {
      const { child, port, logs } = await startCli([]);
      children.push(child);
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      const chat = await h.chat({ wsUrl: `ws://127.0.0.1:${port}/chat` } as never, { nick: 'cli-ada', rooms: [{ room: 'lobby', since: 0 }] });
      const seed = await h.open(`ws://127.0.0.1:${port}/ws/cli-bob`, []);
      chat.send({ type: 'send', room: 'lobby', text: 'never-in-the-logs', cid: 'c1' });
      await seed.nextFrame();
      const started = Date.now();
      child.kill(signal);
      assert.equal((await chat.closedWithin(8000)).code, CloseCode.GoingAway);
      assert.equal((await seed.closedWithin(8000)).code, CloseCode.GoingAway);
      assert.equal(await exited, 0);
      assert.ok(Date.now() - started < 8000, 'within the shutdown bound');
      assert.ok(logs.length >= 3);
      for (const line of logs) assert.equal(typeof (JSON.parse(line) as { level: number }).level, 'number', 'every line is a JSON log entry');
      assert.ok(logs.some((l) => l.includes('"nick":"cli-ada"')), 'nicknames are logged as fields');
      assert.ok(logs.some((l) => l.includes('"origins":"all"')), 'the start-up log says every origin is allowed');
      assert.ok(!logs.some((l) => l.includes('never-in-the-logs')), 'message texts are not logged at info');
    });
  }
});
