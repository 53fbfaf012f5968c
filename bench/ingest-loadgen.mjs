// The ingest load generator: a child process that opens many Parley senders,
// each in one room and each keeping a window of unacked `send`s in flight (a
// new send goes out as soon as an ack frees a place), like a busy site's
// browsers. It counts acks, refusals and the `msg` deliveries every member
// gets, and remembers which room `seq` each ack carried, so that the runner
// can check afterwards that every acked message was stored exactly once.
//
//   node ingest-loadgen.mjs   (started by bench/scenarios/ingest.mjs; commands arrive over IPC)
import { performance } from 'node:perf_hooks';
import { serve, ready } from './lib/ipc.mjs';
import { openClient, CLIENT_MAX_PAYLOAD } from './lib/connect.mjs';
import { ws } from './lib/ws.mjs';
import { countTexts, MARK } from './lib/text.mjs';
import { wires } from './wire/index.mjs';

/** Longest the generator waits for the acks of what is in flight after it stops sending. */
export const DRAIN_TIMEOUT_MS = 15_000;
/** Longest one history page may take to come back during the check. */
export const PAGE_TIMEOUT_MS = 10_000;
/** Largest history page the protocol allows (MAX_HISTORY_PAGE). */
export const HISTORY_PAGE = 200;
/** One line of chat, about what people write most; each text is its id and then as much of this as fits. */
export const CHAT_LINE = 'a typical chat line of about eighty characters, which is what people write most, and a few more';
/** A message's key in the results: sender index × KEY_SPAN + the sender's own count. */
export const KEY_SPAN = 1e7;

const ACK = Buffer.from('"type":"ack","cid":"k');
const SEQ = Buffer.from('"seq":');
const REFUSED = Buffer.from('"type":"error"');
const DUP = Buffer.from('"dup":true');
const QUOTE = 0x22;

let wire;
let base;
let roomPrefix = 'ingest';
let window = 8;
let textLength = 80;
const senders = [];
const closes = {};
/** Per room name: the acked `seq`s and the key of the message each belongs to, in ack order. */
const acked = new Map();

let sending = false;
let sent = 0;
let acks = 0;
let refused = 0;
let dups = 0;
let delivered = 0;
let inflight = 0;
let lastRefusal = '';

/** The text of sender `c`'s `n`-th send: marker, `c.n`, '~', then the chat line, `textLength` characters in all. */
export function textOf(c, n, length) {
  const head = `${MARK}${c}.${n}~`;
  return head + CHAT_LINE.slice(0, Math.max(0, length - head.length));
}

/** The key of a text made by textOf(), or NaN for any other text. */
export function keyOfText(text) {
  if (!text.startsWith(MARK)) return NaN;
  const [c, n] = text.slice(MARK.length, text.indexOf('~', MARK.length)).split('.').map(Number);
  return c * KEY_SPAN + n;
}

function sendOne(s) {
  const n = s.next++;
  s.inflight++;
  inflight++;
  sent++;
  s.sock.send(`{"type":"send","room":"${s.room}","text":"${textOf(s.c, n, textLength)}","cid":"k${n}"}`);
}

function refill(s) {
  while (sending && s.inflight < window) sendOne(s);
}

/** Reads the acks in a frame by hand (cid `k<n>`, then `seq`): parsing every frame's JSON would cost more than the relay's work. */
function onFrame(s, buf) {
  let i = buf.indexOf(ACK);
  if (i !== -1) {
    const log = acked.get(s.room);
    while (i !== -1) {
      let j = i + ACK.length;
      let n = 0;
      while (buf[j] !== QUOTE) n = n * 10 + (buf[j++] - 48);
      j = buf.indexOf(SEQ, j) + SEQ.length;
      let seq = 0;
      while (buf[j] >= 48 && buf[j] <= 57) seq = seq * 10 + (buf[j++] - 48);
      log.seqs.push(seq);
      log.keys.push(s.c * KEY_SPAN + n);
      s.inflight--;
      inflight--;
      acks++;
      i = buf.indexOf(ACK, j);
    }
    if (buf.indexOf(DUP) !== -1) dups++;
  }
  if (buf.indexOf(REFUSED) !== -1) {
    // a refused send (`unavailable` while the store refuses writes): its window place is free again
    for (const line of buf.toString().split('\n')) {
      if (!line.includes('"type":"error"')) continue;
      refused++;
      lastRefusal = line.slice(0, 200);
      if (/"ref":"k\d+"/.test(line)) {
        s.inflight--;
        inflight--;
      }
    }
  }
  delivered += countTexts(buf, textLength);
  refill(s);
}

function snapshot() {
  return { t: performance.now(), cpu: process.cpuUsage(), sent, acks, refused, dups, delivered, inflight, senders: senders.length, lastRefusal };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Resolves with the next envelope on `sock` that `match` accepts (frames may batch several), or rejects after PAGE_TIMEOUT_MS. */
function nextEnvelope(sock, match, what) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { sock.off('message', on); reject(new Error(`no ${what} within ${PAGE_TIMEOUT_MS} ms`)); }, PAGE_TIMEOUT_MS);
    function on(buf) {
      for (const line of buf.toString().split('\n')) {
        const m = JSON.parse(line);
        if (!match(m)) continue;
        clearTimeout(timer);
        sock.off('message', on);
        resolve(m);
        return;
      }
    }
    sock.on('message', on);
  });
}

/**
 * After the run: for each room, a fresh client joins (its `welcome` names the
 * room's head `seq`) and pages the retained history, newest first.
 */
async function readHistory(rooms) {
  const out = {};
  let q = 0;
  for (const room of rooms) {
    const sock = new ws.WebSocket(`${base}chat`, wire.protocols, { perMessageDeflate: false, maxPayload: CLIENT_MAX_PAYLOAD });
    try {
      await new Promise((resolve, reject) => { sock.once('open', resolve); sock.once('error', reject); });
      const welcome = nextEnvelope(sock, (m) => m.type === 'welcome' || m.type === 'error', 'welcome');
      sock.send(JSON.stringify({ type: 'hello', nick: `check${q}`, rooms: [{ room, since: 0 }] }));
      const w = await welcome;
      if (w.type !== 'welcome') throw new Error(`the history check's hello was refused: ${w.code}`);
      const messages = [];
      let before;
      for (;;) {
        const qid = `q${q++}`;
        const answer = nextEnvelope(sock, (m) => m.qid === qid || m.ref === qid, `page ${qid} of ${room}`);
        sock.send(JSON.stringify(before === undefined ? { type: 'history', qid, room, limit: HISTORY_PAGE } : { type: 'history', qid, room, before, limit: HISTORY_PAGE }));
        const page = await answer;
        if (page.type !== 'page') throw new Error(`history of ${room} refused: ${page.code} ${page.message}`);
        for (const m of page.messages) messages.push([m.seq, keyOfText(m.text)]);
        if (!page.more || page.messages.length === 0) break;
        before = page.messages.at(-1).seq;
      }
      out[room] = { head: w.rooms.find((r) => r.room === room)?.seq ?? NaN, messages };
    } finally {
      sock.close(1000);
    }
  }
  return out;
}

/** Opens one sender per entry of `list`, at most `concurrency` handshakes at a time. */
async function openSenders(list, concurrency) {
  const failures = {};
  let next = 0;
  async function lane() {
    while (next < list.length) {
      const s = list[next++];
      try {
        s.sock = await openClient(wire, {
          base,
          nick: `s${s.c}`,
          room: s.room,
          onFrame: (_sock, buf) => onFrame(s, buf),
          onClose: (_sock, code) => { closes[code] = (closes[code] || 0) + 1; },
        });
        senders.push(s);
      } catch (e) {
        failures[e.message] = (failures[e.message] || 0) + 1;
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, list.length) }, lane));
  return failures;
}

serve({
  /** Chooses the peer: its wire format and base URL. */
  async target(m) {
    wire = wires[m.peer];
    if (!wire) throw new Error(`unknown peer ${m.peer}`);
    base = m.url;
    return true;
  },

  /** Opens senders `offset`…`offset + count - 1`; sender `c` is in room `c % rooms`. */
  async connect(m) {
    ({ window, textLength } = m);
    roomPrefix = m.roomPrefix ?? roomPrefix;
    const t0 = performance.now();
    const list = Array.from({ length: m.count }, (_, i) => {
      const c = m.offset + i;
      const room = `${roomPrefix}${c % m.rooms}`;
      if (!acked.has(room)) acked.set(room, { seqs: [], keys: [] });
      return { c, room, next: 0, inflight: 0, sock: undefined };
    });
    const failures = await openSenders(list, m.concurrency ?? 32);
    return { opened: senders.length, failures, ms: performance.now() - t0 };
  },

  /** Waits until no frame has arrived for `quietMs` (presence after the joins), at most `maxMs`. */
  async settle({ quietMs = 200, maxMs = 10_000 }) {
    let last = performance.now();
    const mark = () => { last = performance.now(); };
    for (const s of senders) s.sock.on('message', mark);
    const until = performance.now() + maxMs;
    while (performance.now() - last < quietMs && performance.now() < until) await sleep(20);
    for (const s of senders) s.sock.off('message', mark);
    return { quiet: performance.now() - last >= quietMs };
  },

  /** Every sender fills its window. */
  async start() {
    sending = true;
    for (const s of senders) refill(s);
    return snapshot();
  },

  async snapshot() { return snapshot(); },

  /** Stops sending and waits until every send in flight is answered. */
  async drain() {
    sending = false;
    const until = performance.now() + DRAIN_TIMEOUT_MS;
    while (inflight > 0 && performance.now() < until) await sleep(10);
    return { ...snapshot(), complete: inflight === 0, closes: { ...closes }, open: senders.filter((s) => s.sock.readyState === 1).length };
  },

  /** Per room: the `seq` of every ack and the key of its message. */
  async acked() {
    return Object.fromEntries([...acked].map(([room, log]) => [room, log]));
  },

  /** Per room: its head `seq` and the retained history as [seq, key] pairs, newest first. */
  async history({ rooms }) {
    return readHistory(rooms);
  },
}, {
  async onStop() {
    sending = false;
    for (const s of senders) s.sock.terminate();
  },
});

ready({ pid: process.pid });
