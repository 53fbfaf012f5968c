import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { MemoryStore } from '../src/index.js';
import type { Replay } from '../src/store.js';
import type { RoomMessage } from '@parley/protocol';
import { Harness, TEST_OPTIONS, sleep, type Envelope } from './helpers.js';
import { createRelay } from '../src/index.js';

const DELAY_MS = 250;

/** A memory store whose replays are slow: the history is read before (`early`) or after (`late`) the delay. */
class SlowReplayStore extends MemoryStore {
  constructor(private readonly snapshot: 'early' | 'late') {
    super({ historyLimit: 100, inboxLimit: 100 });
  }
  override replayRoom(room: string, since: number): Replay<RoomMessage> {
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
      const relay = await createRelay(TEST_OPTIONS, { store: new SlowReplayStore(snapshot) });
      try {
        const ada = await h.chat(relay, { nick: 'ada', rooms: [{ room: 'o', since: 0 }] });
        for (let i = 1; i <= 3; i++) ada.send({ type: 'send', room: 'o', text: `old${i}`, cid: `o${i}` });
        for (let i = 1; i <= 3; i++) await ada.next('ack');
        const bob = await h.chat(relay, { nick: 'bob' });
        bob.send({ type: 'join', room: 'o', since: 1 });
        await sleep(DELAY_MS / 3);
        ada.send({ type: 'send', room: 'o', text: 'live', cid: 'live' });
        await ada.next('ack');
        const got: Envelope[] = [await bob.next('joined')];
        for (let i = 0; i < 3; i++) got.push(await bob.next('msg'));
        await bob.none('msg', 200);
        assert.deepEqual(
          got.map((e) => (e.type === 'joined' ? 'joined' : `${e.seq}:${e.text}`)),
          ['joined', '2:old2', '3:old3', '4:live'],
        );
      } finally {
        await relay.close();
      }
    });
  }
});
