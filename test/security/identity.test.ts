// Identity is the relay's word: a `from` (or `name`, `id`, `user`...) a
// client puts in an envelope is refused, never relayed; every message carries
// the sender's real identity, for protocol and plain (seed) clients alike.
import { createRelay, type RelayHandle } from '@parley/relay';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { Peer } from '../support/peer.js';
import { sleep, within } from '../support/wait.js';

describe('forged identity', { timeout: 30_000 }, () => {
  let relay: RelayHandle;
  const peers: Peer[] = [];
  let ada: Peer;
  let eve: Peer;
  const open = async (nick: string): Promise<Peer> => {
    const p = await Peer.open(relay.wsUrl);
    peers.push(p);
    const w = await p.hello({ nick, rooms: [{ room: 'lobby', since: 0 }] });
    assert.equal(w.type, 'welcome');
    return p;
  };
  before(async () => {
    relay = await createRelay({ port: 0, host: '127.0.0.1', log: false });
    ada = await open('ada');
    eve = await open('eve');
  });
  after(async () => {
    await Promise.all(peers.map((p) => p.close()));
    await relay.close();
  });

  for (const [field, value] of [
    ['from', 'ada'],
    ['name', 'ada'],
    ['user', { id: 'ada', name: 'ada' }],
    ['id', 'm_1'],
    ['seq', 1],
    ['ts', 0],
  ] as const) {
    test(`refuses a send carrying "${field}" with unknown_field and broadcasts nothing`, async () => {
      const from = ada.received.length;
      eve.send({ type: 'send', room: 'lobby', text: `forged ${field}`, cid: `f-${field}`, [field]: value });
      const err = await eve.next((e) => e.type === 'error' && e.ref === `f-${field}`);
      assert.equal(err.code, 'unknown_field');
      await eve.fence();
      await ada.fence();
      assert.equal(ada.received.slice(from).filter((e) => e.type === 'msg').length, 0);
    });
  }

  test('refuses a dm carrying "from" and a hello carrying "user"', async () => {
    eve.send({ type: 'dm', to: 'ada', text: 'it is me, ada', cid: 'fd', from: 'ada' });
    assert.equal((await eve.next((e) => e.type === 'error' && e.ref === 'fd')).code, 'unknown_field');
    const p = await Peer.open(relay.wsUrl);
    peers.push(p);
    const answer = await p.hello({ nick: 'mallory', user: { id: 'ada', name: 'ada' } });
    assert.deepEqual([answer.type, answer.code], ['error', 'unknown_field']);
  });

  test('stamps the real sender on room and direct messages', async () => {
    eve.send({ type: 'send', room: 'lobby', text: 'hello', cid: 'ok1' });
    const msg = await ada.next((e) => e.type === 'msg' && e.text === 'hello');
    assert.deepEqual([msg.from, msg.name], ['eve', 'eve']);
    eve.send({ type: 'dm', to: 'ada', text: 'psst', cid: 'ok2' });
    const dm = await ada.next((e) => e.type === 'direct' && e.text === 'psst');
    assert.deepEqual([dm.from, dm.name, dm.to], ['eve', 'eve', 'ada']);
  });

  test('a plain (seed) client cannot speak as someone else: its JSON "sender" is text, its private messages carry its own name', async () => {
    const plain = new WebSocket(relay.wsUrl.replace('/chat', '/ws/mallory'));
    const listener = new WebSocket(relay.wsUrl.replace('/chat', '/ws/listener'));
    const frames: string[] = [];
    listener.on('message', (d) => frames.push(d.toString()));
    await within(Promise.all([new Promise((r) => plain.once('open', r)), new Promise((r) => listener.once('open', r))]), 4000, 'seed clients to open');
    await sleep(100);
    const spoof = JSON.stringify({ sender: 'ada', msg: 'I am ada' });
    plain.send(spoof);
    const seen = await ada.next((e) => e.type === 'msg' && e.from === 'mallory');
    assert.equal(seen.text, spoof, 'the JSON is the text, mallory the sender');
    await within(
      (async () => {
        while (!frames.length) await sleep(20);
      })(),
      4000,
      'the listener to get it',
    );
    assert.deepEqual(JSON.parse(frames[0]!), { sender: 'mallory', msg: spoof });
    plain.send(JSON.stringify({ to_user: 'ada', msg: 'psst from plain', sender: 'eve', from: 'eve' }));
    const dm = await ada.next((e) => e.type === 'direct' && e.text === 'psst from plain');
    assert.deepEqual([dm.from, dm.name], ['mallory', 'mallory']);
    plain.close();
    listener.close();
  });
});
