// The load generator: a child process that opens receivers, one sender and
// idle clients against one peer, in that peer's wire format (bench/wire/), and
// drives the scenarios the runner asks for. The same logic for every peer:
// a frame is counted by the benchmark texts it carries (lib/text.mjs).
//
//   node loadgen.mjs   (started by bench/run.mjs; commands arrive over IPC)
import { performance } from 'node:perf_hooks';
import { serve, ready } from './lib/ipc.mjs';
import { openClient, openMany } from './lib/connect.mjs';
import { makeText, countTexts, forEachText } from './lib/text.mjs';
import { percentiles } from './lib/stats.mjs';
import { wires } from './wire/index.mjs';

/** Longest the load generator waits for in-flight deliveries after it stops sending. */
export const DRAIN_TIMEOUT_MS = 10_000;
/** Tick of the idle heartbeat scheduler. */
export const HEARTBEAT_TICK_MS = 100;

let wire;
let base;
let room = 'bench';
const receivers = [];
const idle = [];
let sender;
const closes = {};

let delivered = 0;
let sent = 0;
let sending = false;
let windowSize = 0;
let mode = 'count'; // 'count' | 'max' | 'latency'
let lat = null;
let latN = 0;
let latFrom = 0;
let latTo = 0;
let frameNow = 0;
let senderErrors = 0;
let lastSenderError = '';
let heartbeatTimer;

let worst = null; // per measured message: its slowest delivery
function record(seq, sentAt) {
  if (seq >= latFrom && seq < latTo && latN < lat.length) {
    const d = frameNow - sentAt;
    lat[latN++] = d;
    const k = seq - latFrom;
    if (d > worst[k]) worst[k] = d;
  }
}

function onReceiverFrame(sock, buf) {
  if (wire.control(sock, buf)) return;
  if (mode === 'latency') {
    frameNow = performance.now();
    delivered += forEachText(buf, record);
    return;
  }
  const n = countTexts(buf);
  if (n === 0) return;
  delivered += n;
  if (mode === 'max') pump();
}

function onSenderFrame(sock, buf) {
  if (wire.control(sock, buf)) return;
  if (wire.isError(buf)) {
    senderErrors++;
    lastSenderError = buf.toString().slice(0, 200);
  }
}

function onClose(_sock, code) {
  closes[code] = (closes[code] || 0) + 1;
}

function sendOne() {
  const seq = sent++;
  sender.send(wire.encodeSend(makeText(seq, performance.now()), seq, room));
}

/** Max-rate: keeps at most `windowSize` messages' deliveries outstanding. */
function pump() {
  const r = receivers.length;
  while (sending && sent - delivered / r < windowSize) sendOne();
}

function snapshot() {
  return {
    t: performance.now(),
    cpu: process.cpuUsage(),
    delivered,
    sent,
    receivers: receivers.length,
    senderErrors,
    lastSenderError,
  };
}

async function drain(expected, timeoutMs = DRAIN_TIMEOUT_MS) {
  const until = performance.now() + timeoutMs;
  while (delivered < expected && performance.now() < until) await new Promise((r) => setTimeout(r, 10));
  return delivered >= expected;
}

serve({
  /** Chooses the peer: its wire format, base URL and room. */
  async target(m) {
    wire = wires[m.peer];
    if (!wire) throw new Error(`unknown peer ${m.peer}`);
    base = m.url;
    room = m.room || room;
    return true;
  },

  /** Opens `count` receivers (role 'receiver') or idle clients (role 'idle'). */
  async connect(m) {
    const { count, role = 'receiver', concurrency = 64, nickPrefix = 'r', offset = 0, roomSize = 0, roomPrefix = 'idle', localAddresses = [] } = m;
    const t0 = performance.now();
    const { sockets, failures } = await openMany(wire, count, concurrency, (i) => {
      const g = offset + i;
      return {
        base,
        nick: `${nickPrefix}${g}`,
        room: roomSize ? `${roomPrefix}${Math.floor(g / roomSize)}` : room,
        localAddress: localAddresses.length ? localAddresses[i % localAddresses.length] : undefined,
        onFrame: role === 'receiver' ? onReceiverFrame : (sock, buf) => wire.control(sock, buf),
        onClose,
      };
    });
    (role === 'receiver' ? receivers : idle).push(...sockets);
    return { opened: sockets.length, failures, ms: performance.now() - t0 };
  },

  /** Opens the one sender. */
  async sender(m) {
    sender = await openClient(wire, { base, nick: m.nick || 'sender', room, onFrame: onSenderFrame, onClose });
    return true;
  },

  /** Waits until no frame has arrived for `quietMs` (presence storms after joins), at most `maxMs`. */
  async settle({ quietMs = 200, maxMs = 10_000 }) {
    let last = performance.now();
    const mark = () => { last = performance.now(); };
    for (const s of receivers) s.on('message', mark);
    const until = performance.now() + maxMs;
    while (performance.now() - last < quietMs && performance.now() < until) await new Promise((r) => setTimeout(r, 20));
    for (const s of receivers) s.off('message', mark);
    return { quiet: performance.now() - last >= quietMs };
  },

  /** Starts the max-rate run with an in-flight window of `window` messages. */
  async maxrate(m) {
    mode = 'max';
    windowSize = m.window;
    sending = true;
    pump();
    return snapshot();
  },

  async snapshot() { return snapshot(); },

  /** Stops sending and waits for what is in flight. */
  async stopSending() {
    sending = false;
    const expected = sent * receivers.length;
    const complete = await drain(expected);
    mode = 'count';
    return { ...snapshot(), expected, complete };
  },

  /**
   * Fixed-rate run: `rate` sends per second for `warmupMs + durationMs`; the
   * latency of every delivery of a message sent after the warm-up is kept.
   */
  async fixedrate({ rate, warmupMs, durationMs }) {
    const r = receivers.length;
    const first = sent + Math.round((rate * warmupMs) / 1000);
    const last = first + Math.round((rate * durationMs) / 1000);
    lat = new Float64Array((last - first) * r);
    worst = new Float64Array(last - first);
    latN = 0;
    latFrom = first;
    latTo = last;
    mode = 'latency';
    const startSeq = sent;
    const start = performance.now();
    let measureStart;
    let cpuStart;
    await new Promise((resolve) => {
      const timer = setInterval(() => {
        const due = Math.min(last, startSeq + Math.floor(((performance.now() - start) / 1000) * rate) + 1);
        while (sent < due) {
          if (sent === first) { measureStart = performance.now(); cpuStart = process.cpuUsage(); }
          sendOne();
        }
        if (sent >= last) { clearInterval(timer); resolve(); }
      }, Math.max(1, Math.floor(1000 / rate / 2)));
    });
    const complete = await drain(sent * r);
    const measureEnd = performance.now();
    const cpu = process.cpuUsage(cpuStart);
    mode = 'count';
    const stats = percentiles(lat, latN);
    lat = null;
    // How the tail is made: a few messages that were all late (a pause
    // somewhere) or many messages with a few late deliveries each.
    const slowest = [...worst].map((d, k) => ({ seq: k, ms: d })).sort((a, b) => b.ms - a.ms).slice(0, 5);
    const w = worst;
    worst = null;
    const messagesOver = (ms) => w.reduce((n, d) => n + (d > ms ? 1 : 0), 0);
    return {
      ...stats,
      expected: (last - first) * r,
      complete,
      loadgenCpuShare: (cpu.user + cpu.system) / 1000 / (measureEnd - measureStart),
      sent: last - first,
      slowestMessages: slowest.map((x) => ({ atMs: (x.seq * 1000) / rate, maxMs: x.ms })),
      messagesOver10ms: messagesOver(10),
      messagesOver2xP99: messagesOver(2 * stats.p99),
    };
  },

  /** Every idle client sends the wire's app-level ping once per `everyMs` (spread evenly). */
  async heartbeat({ everyMs }) {
    clearInterval(heartbeatTimer);
    if (!wire.heartbeat || !everyMs) return { pinging: false };
    let cursor = 0;
    let carry = 0;
    heartbeatTimer = setInterval(() => {
      carry += (idle.length * HEARTBEAT_TICK_MS) / everyMs;
      while (carry >= 1 && idle.length) {
        carry -= 1;
        const s = idle[cursor++ % idle.length];
        if (s.readyState === 1) s.send(wire.heartbeat());
      }
    }, HEARTBEAT_TICK_MS);
    return { pinging: true };
  },

  /** How many clients are open and how the others closed. */
  async stats() {
    const open = (list) => list.reduce((n, s) => n + (s.readyState === 1 ? 1 : 0), 0);
    return { receivers: open(receivers), idle: open(idle), closes: { ...closes }, cpu: process.cpuUsage(), t: performance.now() };
  },
}, {
  async onStop() {
    clearInterval(heartbeatTimer);
    sending = false;
    for (const s of [...receivers, ...idle, sender]) if (s) s.terminate();
  },
});

ready({ pid: process.pid });
