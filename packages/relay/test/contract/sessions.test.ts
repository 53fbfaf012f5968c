/**
 * The sessions contract: who a session is and where it is, the same on one
 * relay (memory) and in a cluster (Redis). Each test drives the real
 * `Sessions` of a data path built as `createRelay` builds it, with peers
 * that record what fan-out hands them.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { nicknameKey, type ServerMessage } from '@parley/protocol';
import type { Recipient, RoomBatch } from '../../src/fanout/room-batch.js';
import { anonymousClaim, type Claim } from '../../src/sessions/claim.js';
import type { Peer, Session } from '../../src/sessions/session.js';
import type { Sessions } from '../../src/sessions/sessions.js';
import type { Outbound } from '../../src/wire/outbound.js';
import { eventually } from '../cluster-helpers.js';
import { PATH_KINDS, type PathUnderTest } from './implementations.js';

/** A connection that keeps every envelope fan-out hands it. */
class RecordingPeer implements Peer {
  readonly kind = 'chat';
  readonly got: ServerMessage[] = [];
  closedWith: number | undefined;
  deliver(out: Outbound): void {
    this.got.push(out.envelope);
  }
  takeBatch(batch: RoomBatch, recipient: Recipient): void {
    batch.each(0, recipient, (out) => this.got.push(out.envelope));
  }
  close(code: number): void {
    this.closedWith = code;
  }
  /** Presence events seen, as `join Ada` / `leave Ada`. */
  get presence(): string[] {
    return this.got.flatMap((e) => (e.type === 'presence' ? [`${e.event} ${e.user.name}`] : []));
  }
}

const token = (sub: string, name: string, extra: Partial<Claim> = {}): Claim => ({ anonymous: false, id: sub, name, key: nicknameKey(name), ...extra });

for (const kind of PATH_KINDS) {
  describe(`sessions contract: ${kind.name}`, () => {
    let open: PathUnderTest[] = [];
    let n = 0;
    const id = (): string => `s_${kind.name}.${++n}`;
    const make = async (options = {}): Promise<Sessions> => {
      const p = await kind.make({ resumeWindowMs: 60_000, ...options });
      open.push(p);
      return p.path.sessions;
    };
    afterEach(async () => {
      await Promise.all(open.map((p) => p.close()));
      open = [];
    });
    /** Opens a session and attaches a recording peer to it. */
    const connect = async (sessions: Sessions, claim: Claim, secret?: string): Promise<{ session: Session; peer: RecordingPeer }> => {
      const session = await sessions.open(claim, id(), 'chat', secret);
      assert.ok(session, `${claim.name} could be claimed`);
      const peer = new RecordingPeer();
      sessions.attach(session, peer);
      return { session, peer };
    };

    test('holds an anonymous nickname for one session at a time, whatever its case or width', async () => {
      const sessions = await make();
      const ada = await sessions.open(anonymousClaim('Ada'), id(), 'chat', 'secret-1');
      assert.ok(ada);
      assert.equal(await sessions.open(anonymousClaim('ADA'), id(), 'chat'), null);
      assert.equal(await sessions.open(anonymousClaim('Ａｄａ'), id(), 'seed'), null, 'fullwidth letters are the same name');
      sessions.end(ada);
      const again = await sessions.open(anonymousClaim('ada'), id(), 'chat');
      assert.ok(again, 'free once the session ended');
      assert.equal(again.user.member.name, 'ada');
    });

    test('lets a token subject hold any number of sessions, under one user', async () => {
      const sessions = await make();
      const a = await sessions.open(token('u_grace', 'Grace'), id(), 'chat', 'secret-a');
      const b = await sessions.open(token('u_grace', 'Grace'), id(), 'chat', 'secret-b');
      assert.ok(a && b);
      assert.notEqual(a.id, b.id);
      assert.deepEqual(b.user.member, { id: 'u_grace', name: 'Grace' });
      assert.equal(sessions.count, 2);
    });

    test('keeps token users and anonymous visitors apart: neither takes what the other holds', async () => {
      const sessions = await make();
      const ada = await sessions.open(anonymousClaim('Ada'), id(), 'chat');
      assert.ok(ada);
      assert.equal(await sessions.open(token(ada.user.member.id, 'Someone'), id(), 'chat'), null, 'the id of an anonymous user');
      assert.ok(await sessions.open(token('u_grace', 'Grace'), id(), 'chat'));
      assert.equal(await sessions.open(anonymousClaim('grace'), id(), 'chat'), null, 'the name a token user shows');
    });

    test('takes a detached session back by its resume secret, with its rooms', async () => {
      const sessions = await make();
      const { session } = await connect(sessions, anonymousClaim('Ada'), 'secret-1');
      await sessions.enter(session, 'lobby');
      sessions.detach(session);
      assert.equal(sessions.detachedCount, 1);
      const back = await sessions.resume('secret-1', 'secret-2');
      assert.ok(back);
      assert.equal(back.id, session.id);
      assert.equal(back.resume, 'secret-2');
      assert.deepEqual([...back.rooms.keys()], ['lobby']);
      sessions.attach(back, new RecordingPeer());
      assert.equal(sessions.detachedCount, 0);
      assert.equal(await sessions.resume('never-given', 'secret-3'), undefined);
    });

    test('rotates the secret: the one used works beside the new one until the client confirms it got the new one', async () => {
      const sessions = await make();
      const { session } = await connect(sessions, anonymousClaim('Ada'), 'secret-1');
      assert.ok(await sessions.resume('secret-1', 'secret-2'));
      // the welcome carrying secret-2 was lost: the client comes back with secret-1
      const again = await sessions.resume('secret-1', 'secret-3');
      assert.equal(again?.id, session.id);
      assert.equal(await sessions.resume('secret-2', 'secret-x'), undefined, 'the secret never received stops working');
      sessions.confirm(again, 'secret-3');
      assert.equal(await sessions.resume('secret-1', 'secret-4'), undefined, 'once confirmed, the one used stops working');
      const last = await sessions.resume('secret-3', 'secret-5');
      assert.equal(last?.id, session.id);
      assert.equal(await sessions.resume('secret-1', 'secret-6'), undefined);
    });

    test('resuming with the new secret retires the one used before it', async () => {
      const sessions = await make();
      await connect(sessions, anonymousClaim('Ada'), 'secret-1');
      assert.ok(await sessions.resume('secret-1', 'secret-2'));
      assert.ok(await sessions.resume('secret-2', 'secret-3'));
      assert.equal(await sessions.resume('secret-1', 'secret-x'), undefined);
    });

    test('does not take back an ended session, a seed session, or one whose token expired', async () => {
      const sessions = await make();
      const { session } = await connect(sessions, anonymousClaim('Ada'), 'secret-1');
      sessions.end(session);
      assert.equal(await sessions.resume('secret-1', 'secret-2'), undefined);
      const seed = await sessions.open(anonymousClaim('Bob'), id(), 'seed', 'secret-seed');
      assert.ok(seed);
      assert.equal(await sessions.resume('secret-seed', 'secret-3'), undefined, 'seed sessions are never resumed');
      await connect(sessions, token('u_grace', 'Grace', { expiresAt: Date.now() - 1 }), 'secret-token');
      assert.equal(await sessions.resume('secret-token', 'secret-4'), undefined);
    });

    test('abandoning a fresh session ends it; abandoning a taken-back one gives back the secret the client holds', async () => {
      const sessions = await make();
      const fresh = await sessions.open(anonymousClaim('Ada'), id(), 'chat', 'secret-a');
      assert.ok(fresh);
      sessions.abandon(fresh, undefined);
      assert.ok(await sessions.open(anonymousClaim('Ada'), id(), 'chat'), 'the nickname is free again');
      const { session } = await connect(sessions, anonymousClaim('Bob'), 'secret-1');
      sessions.detach(session);
      const back = await sessions.resume('secret-1', 'secret-2');
      assert.ok(back);
      sessions.abandon(back, 'secret-1');
      assert.equal(back.resume, 'secret-1');
      assert.equal(sessions.detachedCount, 1, 'still waiting to be resumed');
      assert.equal((await sessions.resume('secret-1', 'secret-3'))?.id, session.id);
    });

    test('announces a user in a room with their first session and out with their last; members lists each user once', async () => {
      const sessions = await make();
      const ada = await connect(sessions, anonymousClaim('Ada'));
      await sessions.enter(ada.session, 'lobby');
      const grace1 = await connect(sessions, token('u_grace', 'Grace'));
      const grace2 = await connect(sessions, token('u_grace', 'Grace'));
      const state = await sessions.enter(grace1.session, 'lobby');
      await sessions.enter(grace2.session, 'lobby');
      assert.deepEqual(state.members.map((m) => m.name).sort(), ['Ada', 'Grace']);
      assert.deepEqual((await sessions.members('lobby')).map((m) => m.name).sort(), ['Ada', 'Grace']);
      sessions.leave(grace1.session, 'lobby');
      const cy = await connect(sessions, anonymousClaim('Cy'));
      await sessions.enter(cy.session, 'lobby');
      await eventually(() => ada.peer.presence.includes('join Cy'), 'Cy joining');
      assert.deepEqual(ada.peer.presence, ['join Grace', 'join Cy'], "Grace's second session and first leave are not announced");
      sessions.leave(grace2.session, 'lobby');
      await eventually(() => ada.peer.presence.includes('leave Grace'), 'Grace leaving');
      assert.deepEqual(grace1.peer.presence.filter((p) => p.startsWith('join Grace')), [], 'nobody hears their own join');
      assert.deepEqual((await sessions.members('lobby')).map((m) => m.name).sort(), ['Ada', 'Cy']);
      assert.deepEqual(await sessions.members('empty'), []);
    });

    test('announces the leave of a session that ends in a room', async () => {
      const sessions = await make();
      const ada = await connect(sessions, anonymousClaim('Ada'));
      const bob = await connect(sessions, anonymousClaim('Bob'));
      await sessions.enter(ada.session, 'lobby');
      await sessions.enter(bob.session, 'lobby');
      sessions.end(bob.session);
      await eventually(() => ada.peer.presence.includes('leave Bob'), 'Bob leaving');
      assert.deepEqual((await sessions.members('lobby')).map((m) => m.name), ['Ada']);
    });

    test('finds a user by id, and an anonymous user by nickname in any case', async () => {
      const sessions = await make();
      const ada = await connect(sessions, anonymousClaim('Ada'));
      await connect(sessions, token('u_grace', 'Grace'));
      assert.deepEqual(await sessions.find(ada.session.user.member.id), ada.session.user.member);
      assert.deepEqual(await sessions.find('aDA'), ada.session.user.member);
      assert.deepEqual(await sessions.find('u_grace'), { id: 'u_grace', name: 'Grace' });
      assert.equal(await sessions.find('grace'), undefined, 'a token user is found by id only');
      assert.equal(await sessions.find('nobody'), undefined);
      sessions.end(ada.session);
      assert.equal(await sessions.find('ada'), undefined);
    });

    test('ends a detached session when the resume window passes, freeing its nickname', async () => {
      const sessions = await make({ resumeWindowMs: 100 });
      const { session } = await connect(sessions, anonymousClaim('Ada'), 'secret-1');
      sessions.detach(session);
      await eventually(() => session.ended, 'the session ending');
      assert.equal(sessions.detachedCount, 0);
      await eventually(async () => (await sessions.find('ada')) === undefined, 'the nickname freed');
      assert.equal(await sessions.resume('secret-1', 'secret-2'), undefined);
      assert.ok(await sessions.open(anonymousClaim('Ada'), id(), 'chat'));
    });

    test('ends at once a session whose client closed on purpose, and a seed session', async () => {
      const sessions = await make();
      const { session } = await connect(sessions, anonymousClaim('Ada'), 'secret-1');
      sessions.detach(session, true);
      assert.equal(session.ended, true);
      assert.equal(await sessions.resume('secret-1', 'secret-2'), undefined);
      const seed = await sessions.open(anonymousClaim('Bob'), id(), 'seed');
      assert.ok(seed);
      sessions.attach(seed, new RecordingPeer());
      sessions.detach(seed);
      assert.equal(seed.ended, true);
      assert.ok(await sessions.open(anonymousClaim('Bob'), id(), 'chat'), 'the seed nickname is free again');
      assert.equal(sessions.count, 1);
    });

    test('refuses a room the token does not allow, and one past the room limit', async () => {
      const sessions = await make({ maxRooms: 2 });
      const { session } = await connect(sessions, token('u_grace', 'Grace', { rooms: new Set(['a', 'b', 'c']) }));
      assert.equal(sessions.refusal(session, 'z'), 'room_forbidden');
      await sessions.enter(session, 'a');
      await sessions.enter(session, 'b');
      assert.equal(sessions.refusal(session, 'c'), 'too_many_rooms');
      assert.equal(sessions.refusal(session, 'a'), null, 'a room it is in');
      sessions.leave(session, 'b');
      assert.equal(sessions.refusal(session, 'c'), null);
    });
  });
}
