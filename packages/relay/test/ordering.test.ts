import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { MemoryStore } from '../src/index.js';
import type { Replay } from '../src/store/store.js';
import type { RoomMessage } from '@parley/protocol';
import { Harness, TEST_OPTIONS, type Envelope } from './helpers.js';
import { createRelay } from '../src/index.js';

const DELAY_MS = 250;

/** A memory store whose replays are slow: the history is read before (`early`) or after (`late`) the delay. */
class SlowReplayStore extends MemoryStore {
  private started: Array<() => void> = [];
  /** Resolves when the next replay starts (it is then in flight for DELAY_MS). */
  nextReplay(): Promise<void> {
    return new Promise((resolve) => this.started.push(resolve));
  }

  constructor(private readonly snapshot: 'early' | 'late') {
    super({ historyLimit: 100, inboxLimit: 100 });
  }
  override replayRoom(room: string, since: number): Replay<RoomMessage> {
    for (const resolve of this.started.splice(0)) resolve();
    const early = this.snapshot === 'early' ? super.replayRoom(room, since) : undefined;
    return new Promise<Replay<RoomMessage>>((resolve) =>
      setTimeout(() => resolve(early ?? super.replayRoom(room, since)), DELAY_MS),
    ) as unknown as Replay<RoomMessage>;
  }
}

describe('ordering while a replay is in flight', () => {
  const h = new Harness();
  after(() => h.close());

  for (const snapshot of ['early', 'late'] as const) {
    test(`delivers joined, the replay, then live messages, each once (history read ${snapshot})`, async () => {
      const store = new SlowReplayStore(snapshot);
      const relay = await createRelay(TEST_OPTIONS, { store });
      try {
        const ada = await h.chat(relay, { nick: 'ada', rooms: [{ room: 'o', since: 0 }] });
        for (let i = 1; i <= 3; i++) ada.send({ type: 'send', room: 'o', text: `old${i}`, cid: `o${i}` });
        for (let i = 1; i <= 3; i++) await ada.next('ack');
        const bob = await h.chat(relay, { nick: 'bob' });
        const replaying = store.nextReplay();
        bob.send({ type: 'join', room: 'o', since: 1 });
        await replaying; // the live message is sent while bob's replay is in flight
        ada.send({ type: 'send', room: 'o', text: 'live', cid: 'live' });
        await ada.next('ack');
        const got: Envelope[] = [await bob.next('joined')];
        for (let i = 0; i < 3; i++) got.push(await bob.next('msg'));
        // a sentinel: a message sent after everything else; a duplicate would come before it
        ada.send({ type: 'send', room: 'o', text: 'after', cid: 'after' });
        got.push(await bob.next('msg'));
        assert.deepEqual(
          got.map((e) => (e.type === 'joined' ? 'joined' : `${e.seq}:${e.text}`)),
          ['joined', '2:old2', '3:old3', '4:live', '5:after'],
        );
      } finally {
        await relay.close();
      }
    });
  }
});

describe('ordering within one read', () => {
  const h = new Harness();
  after(() => h.close());

  test('a batch of sends to two rooms, a join and typing reaches everyone in the order it was sent', async () => {
    const relay = await h.relay();
    const ada = await h.chat(relay, { nick: 'o-ada', rooms: [{ room: 'oa', since: 0 }, { room: 'ob', since: 0 }] });
    const bob = await h.chat(relay, { nick: 'o-bob', rooms: [{ room: 'oa', since: 0 }, { room: 'ob', since: 0 }, { room: 'oc', since: 0 }] });
    await ada.next('presence', (e) => e.room === 'ob');
    const batch = [
      { type: 'send', room: 'oa', text: 'one', cid: 'c1' },
      { type: 'send', room: 'ob', text: 'two', cid: 'c2' },
      { type: 'join', room: 'oc' },
      { type: 'send', room: 'oa', text: 'three', cid: 'c3' },
      { type: 'typing', room: 'oa', on: true },
      { type: 'send', room: 'oc', text: 'four', cid: 'c4' },
    ];
    ada.send(batch.map((e) => JSON.stringify(e)).join('\n'));
    await ada.next('ack', (e) => e.cid === 'c4');
    await bob.next('msg', (e) => e.text === 'four');
    const seen = (c: typeof ada): string[] =>
      c.received
        .filter((e) => ['msg', 'ack', 'typing', 'joined', 'presence'].includes(e.type) && (e.type !== 'presence' || e.room === 'oc'))
        .filter((e) => !(e.type === 'joined' && e.room !== 'oc'))
        .map((e) => (e.type === 'msg' ? `msg ${e.room} ${e.text}` : e.type === 'ack' ? `ack ${e.cid}` : `${e.type} ${e.room}`));
    assert.deepEqual(seen(ada), ['msg oa one', 'ack c1', 'msg ob two', 'ack c2', 'joined oc', 'msg oa three', 'ack c3', 'msg oc four', 'ack c4']);
    assert.deepEqual(seen(bob), ['msg oa one', 'msg ob two', 'presence oc', 'msg oa three', 'typing oa', 'msg oc four']);
  });
});
