/**
 * Type-level tests: `npx tsc -p packages/client/tsconfig.test.json --noEmit`
 * (and the root `npm run typecheck:test`) fails when a line marked
 * `@ts-expect-error` compiles (so a wrong handler or a wrong call is rejected
 * by the types), or when a correct one does not. `typeChecks` never runs.
 * What runs checks that the values the docs import exist at run time.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import NodeWebSocket from 'ws';
// every payload type comes from the client itself: no import of @parley/protocol
import {
  ClientErrorCode,
  createClient,
  State,
  type Ack,
  type ClientErrorEvent,
  type DirectMessage,
  type Gap,
  type HistoryPage,
  type Member,
  type ParleyClient,
  type ParleyError,
  type Presence,
  type RoomMessage,
  type SendPromise,
  type StatusEvent,
  type Typing,
} from '../src/index.js';

/** Never called: only type-checked. */
function typeChecks(client: ParleyClient) {
  // correct handlers compile
  client.on('message', (m: RoomMessage) => m.text.toUpperCase());
  client.on('direct', (m: DirectMessage) => m.to);
  client.on('status', (e: StatusEvent) => e.from === State.Open && e.to === State.Reconnecting);
  client.on('error', (e: ClientErrorEvent) => e.code);
  client.on('ack', (a: Ack) => a.seq);
  client.on('gap', (g: Gap) => g.end === undefined || g.start <= g.end);
  client.on('presence', (p: Presence) => p.event === 'join' && p.user.name);
  client.on('typing', (t: Typing) => t.on);
  client.on('welcome', ({ user }: { user: Member }) => user.id);
  const me: Member | null = client.user;
  const older: Promise<Array<RoomMessage | DirectMessage>> = client.history(null).then((p: HistoryPage) => p.messages);
  client.send('lobby', 'hi').catch((e: ParleyError) => e.ref === undefined || e.code.length > 0);
  // @ts-expect-error a typing event is no presence
  client.on('typing', (p: Presence) => p.event);
  client.on('members', (e) => e.members.map((m: Member) => m.name));
  const sent: Promise<Ack> = client.send('lobby', 'hi');
  const sending: SendPromise = client.sendDirect('grace', 'hi');
  const cid: string = sending.cid;
  const page: Promise<HistoryPage> = client.history('lobby', { before: 10, limit: 5 });
  const who: Promise<Member[]> = client.members('lobby');
  const state: State = client.state;
  // the client's own codes are a value and a type, as in the docs
  client.history('lobby').catch((e: ParleyError) => e.code === ClientErrorCode.Timeout);
  const code: ClientErrorCode = ClientErrorCode.OutboxFull;
  // @ts-expect-error not one of the client's codes
  const notCode: ClientErrorCode = 'not_in_room';

  // the platform WebSockets fit without a cast
  createClient({ url: 'ws://x/chat', WebSocket: globalThis.WebSocket });
  createClient({ url: 'ws://x/chat', WebSocket: NodeWebSocket });

  // @ts-expect-error a room message handler cannot take a direct message
  client.on('message', (m: DirectMessage) => m.to);
  // @ts-expect-error a status event has no text
  client.on('status', (e) => e.text);
  // @ts-expect-error there is no such event
  client.on('messages', () => {});
  // @ts-expect-error an ack handler cannot take a room message
  client.off('ack', (m: RoomMessage) => m.room);
  // @ts-expect-error send needs a room and a text
  client.send('lobby');
  // @ts-expect-error send resolves with an Ack, not a string
  const wrong: Promise<string> = client.send('lobby', 'hi');
  // @ts-expect-error the cid is the client's: read-only
  sending.cid = 'mine';
  // @ts-expect-error a promise made with then has no cid
  void client.send('lobby', 'hi').then((a) => a).cid;
  // @ts-expect-error the state is read-only
  client.state = State.Open;
  // @ts-expect-error not a state
  const bad: State = 'connected';
  // @ts-expect-error url is required
  createClient({ nick: 'ada' });
  return [sent, cid, page, who, state, me, older, code, notCode, wrong, bad];
}

describe('exports', () => {
  it('gives the values its docs import: State and ClientErrorCode', () => {
    assert.deepEqual(Object.values(State), ['idle', 'connecting', 'open', 'reconnecting', 'closed']);
    assert.deepEqual(ClientErrorCode, { OutboxFull: 'outbox_full', Closed: 'closed', Timeout: 'timeout' });
    void typeChecks;
  });
});
