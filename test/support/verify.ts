/**
 * Compares what each client delivered with the relay's history (the truth):
 * per room and per private inbox, nothing lost (unless reported by a gap),
 * nothing doubled, nothing out of order, nothing altered; and every send
 * settled exactly once, acked, and stored exactly once.
 */
import type { DirectMessage, RoomMessage } from '@parley/protocol';
import type { GapRecord, Participant } from './participant.js';

/** The relay's history: every room's messages and every user's inbox, oldest first. */
export interface Truth {
  rooms: Map<string, RoomMessage[]>;
  inboxes: Map<string, DirectMessage[]>;
}

/** What the comparison found; every count but `deliveries` and `gapped` must be 0. */
export interface Verdict {
  /** Messages delivered (room and direct, every client). */
  deliveries: number;
  /** Messages in history that a client should have and never got, without a gap saying so. */
  lost: number;
  /** Messages a client got more than once. */
  doubled: number;
  /** Deliveries whose `seq` was not above the previous one of the same room or inbox. */
  reordered: number;
  /** Deliveries that differ from history at their `seq` (id, text or sender). */
  altered: number;
  /** Messages a client missed but was told about with a gap. */
  gapped: number;
  /** Sends not settled exactly once. */
  unsettled: number;
  /** Sends that were refused. */
  refused: number;
  /** Acked sends whose message is not in history with the acked id. */
  unacknowledged: number;
  /** Texts stored more than once (a resend broadcast twice). */
  storedTwice: number;
  /** Readable descriptions of the first problems found. */
  problems: string[];
}

const covered = (gaps: readonly GapRecord[] | undefined, seq: number): boolean =>
  (gaps ?? []).some((g) => seq >= g.start && (g.end === undefined || seq <= g.end));

/**
 * Compares one delivered list with its truth. `from` is the first `seq` the
 * client was entitled to (messages before it were sent before it joined).
 */
function compareLog<T extends { id: string; seq: number; text: string; from: string }>(
  who: string,
  where: string,
  delivered: readonly T[],
  truth: readonly T[],
  gaps: readonly GapRecord[] | undefined,
  v: Verdict,
  from = 1,
): void {
  const note = (s: string): void => void (v.problems.length < 20 && v.problems.push(`${who} ${where}: ${s}`));
  v.deliveries += delivered.length;
  const bySeq = new Map(truth.map((m) => [m.seq, m]));
  const seenIds = new Set<string>();
  let last = 0;
  for (const m of delivered) {
    if (seenIds.has(m.id)) {
      v.doubled++;
      note(`doubled ${m.id} (seq ${m.seq})`);
    }
    seenIds.add(m.id);
    if (m.seq <= last) {
      v.reordered++;
      note(`seq ${m.seq} after ${last}`);
    }
    last = Math.max(last, m.seq);
    const t = bySeq.get(m.seq);
    if (!t || t.id !== m.id || t.text !== m.text || t.from !== m.from) {
      v.altered++;
      note(`seq ${m.seq} differs from history (${t ? t.id : 'absent'} vs ${m.id})`);
    }
  }
  const got = new Set(delivered.map((m) => m.seq));
  for (const t of truth) {
    if (t.seq < from || got.has(t.seq)) continue;
    if (covered(gaps, t.seq)) v.gapped++;
    else {
      v.lost++;
      note(`lost seq ${t.seq} (${t.id})`);
    }
  }
}

/** An empty verdict. */
export function emptyVerdict(): Verdict {
  return { deliveries: 0, lost: 0, doubled: 0, reordered: 0, altered: 0, gapped: 0, unsettled: 0, refused: 0, unacknowledged: 0, storedTwice: 0, problems: [] };
}

/**
 * Compares every participant with the truth. Each participant is expected to
 * have every message of its rooms (it joined before anything was sent) and of
 * its inbox.
 */
export function verify(participants: readonly Participant[], truth: Truth, userOf: (p: Participant) => string = (p) => p.client.user!.id): Verdict {
  const v = emptyVerdict();
  const note = (s: string): void => void (v.problems.length < 20 && v.problems.push(s));
  for (const p of participants) {
    for (const room of p.client.rooms) {
      compareLog(p.nick, `#${room}`, p.messages.get(room) ?? [], truth.rooms.get(room) ?? [], p.gaps.get(room), v);
    }
    compareLog(p.nick, 'inbox', p.directs, truth.inboxes.get(userOf(p)) ?? [], p.gaps.get(''), v);
  }
  // every send: settled once, acked, stored once with the acked id
  const stored = new Map<string, Array<{ id: string }>>();
  for (const list of truth.rooms.values()) for (const m of list) stored.set(m.text, [...(stored.get(m.text) ?? []), m]);
  const directIds = new Map<string, Set<string>>();
  for (const list of truth.inboxes.values()) {
    for (const m of list) directIds.set(m.text, (directIds.get(m.text) ?? new Set()).add(m.id));
  }
  for (const ids of directIds.values()) if (ids.size > 1) v.storedTwice++;
  for (const list of stored.values()) if (list.length > 1) v.storedTwice++;
  for (const p of participants) {
    for (const s of p.sends) {
      if (s.settled !== 1) {
        v.unsettled++;
        note(`${p.nick}: send "${s.text}" settled ${s.settled} times`);
        continue;
      }
      if (s.error) {
        v.refused++;
        note(`${p.nick}: send "${s.text}" refused with ${s.error}`);
        continue;
      }
      const ids = s.room !== undefined ? new Set((stored.get(s.text) ?? []).map((m) => m.id)) : (directIds.get(s.text) ?? new Set());
      if (!ids.has(s.ack!.id)) {
        v.unacknowledged++;
        note(`${p.nick}: send "${s.text}" acked as ${s.ack!.id}, not in history`);
      }
    }
  }
  return v;
}

/** The counts that must be zero, as one line. */
export function verdictLine(v: Verdict): string {
  return (
    `deliveries ${v.deliveries}, lost ${v.lost}, doubled ${v.doubled}, reordered ${v.reordered}, altered ${v.altered}, ` +
    `gapped ${v.gapped}, unsettled ${v.unsettled}, refused ${v.refused}, unacknowledged ${v.unacknowledged}, stored twice ${v.storedTwice}`
  );
}

/** Whether every count that must be zero is. */
export const clean = (v: Verdict): boolean =>
  v.lost + v.doubled + v.reordered + v.altered + v.unsettled + v.refused + v.unacknowledged + v.storedTwice === 0;
