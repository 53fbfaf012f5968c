// The check after an ingest run: every acked message was stored exactly
// once. From the acks the generators saw (per room, the `seq` each ack
// carried and the message it was for) and what the relay reports afterwards
// (per room, its head `seq` and the retained history):
//
//   - no two acks carry the same `seq` in a room, and the acked `seq`s are
//     exactly 1…head: every stored message was acked once, nothing acked is
//     missing from the count, nothing is stored twice;
//   - every retained history message is the very message its `seq` was
//     acked for, and the retained `seq`s run without a hole up to the head.

/** Most problems listed by name in a result. */
export const MAX_PROBLEMS = 5;

/**
 * `acked`: [{room: {seqs, keys}}] from each generator; `history`: {room: {head, messages: [[seq, key]]}}.
 * Returns {ok, acked, stored, retained, checked, problems}.
 */
export function checkStoredOnce(acked, history) {
  const problems = [];
  const problem = (p) => { if (problems.length < MAX_PROBLEMS) problems.push(p); };
  let total = 0;
  let stored = 0;
  let retained = 0;
  let wrong = 0;
  const rooms = new Set([...acked.flatMap((a) => Object.keys(a)), ...Object.keys(history)]);
  for (const room of rooms) {
    const bySeq = new Map();
    let twice = 0;
    for (const a of acked) {
      const log = a[room];
      if (!log) continue;
      for (let i = 0; i < log.seqs.length; i++) {
        if (bySeq.has(log.seqs[i])) twice++;
        else bySeq.set(log.seqs[i], log.keys[i]);
      }
      total += log.seqs.length;
    }
    const h = history[room];
    if (!h) { problem(`${room}: no history read`); continue; }
    stored += h.head;
    if (twice) problem(`${room}: ${twice} acks repeat a seq`);
    if (bySeq.size !== h.head) problem(`${room}: ${bySeq.size} distinct acked seqs, head seq ${h.head}`);
    for (let seq = 1; seq <= h.head; seq++) {
      if (!bySeq.has(seq)) { problem(`${room}: seq ${seq} stored but never acked`); break; }
    }
    let expect = h.head;
    for (const [seq, key] of h.messages) {
      retained++;
      if (seq !== expect) { problem(`${room}: history has seq ${seq} where ${expect} was due`); expect = seq; }
      expect--;
      if (bySeq.get(seq) !== key) {
        wrong++;
        problem(`${room}: seq ${seq} holds another message than the one acked with it`);
      }
    }
  }
  return { ok: problems.length === 0, acked: total, stored, retained, wrong, problems };
}
