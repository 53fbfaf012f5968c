/**
 * Slow consumers: clients that say hello, join a busy room and then never read
 * a byte. The relay must cut each one off at its send-buffer cap (4001) while
 * a healthy reader in the same room gets everything, and its memory must stay
 * bounded (peak printed) and come back down once they are gone. A client that
 * floods pings without reading (so that pongs pile up) is cut off too.
 */
import { held, ProbedRelay } from '../support/probe.js';
import { Peer } from '../support/peer.js';
import { metric } from '../support/metrics.js';
import { RawSocket } from '../support/raw-socket.js';
import { eventually, sleep } from '../support/wait.js';

export interface SlowFigures {
  readers: number;
  capBytes: number;
  messages: number;
  textLength: number;
  /** Bytes the relay had to send each reader. */
  bytesPerReader: number;
  cutOff: number;
  healthyGotAll: boolean;
  baseline: number;
  peakHeap: number;
  peakRss: number;
  after: number;
  pingFloodCut: boolean;
  seconds: number;
}

export async function runSlowConsumers(options: { readers?: number; capBytes?: number; messages?: number } = {}): Promise<SlowFigures> {
  const { readers = 20, capBytes = 256 * 1024, messages = 3000 } = options;
  const started = Date.now();
  // a short resume window: once everyone has gone the room's history (1000 messages of 4 KB) is dropped too
  const relay = await ProbedRelay.start({ sendBufferBytes: capBytes, rateBurst: 1_000_000, ratePerSecond: 1_000_000, maxConnectionsPerIp: 10_000, resumeWindowMs: 200 });
  const room = 'busy';
  const slow: RawSocket[] = [];
  const peers: Peer[] = [];
  try {
    const baseline = held(await relay.memory());
    await relay.peak();
    for (let i = 0; i < readers; i++) {
      const r = await RawSocket.connect(relay.port, { neverRead: true });
      r.send({ type: 'hello', nick: `slow${i}`, rooms: [{ room, since: 0 }] });
      slow.push(r);
    }
    const healthy = await Peer.open(relay.wsUrl);
    const sender = await Peer.open(relay.wsUrl);
    peers.push(healthy, sender);
    await healthy.hello({ nick: 'healthy', rooms: [{ room, since: 0 }] });
    await sender.hello({ nick: 'sender', rooms: [{ room, since: 0 }] });
    const textLength = 4000;
    const body = 'w'.repeat(textLength - 8);
    for (let i = 0; i < messages; i++) {
      sender.send({ type: 'send', room, text: `${String(i).padStart(7, '0')} ${body}`, cid: `s${i}` });
      // the sender reads its own echo and acks between small bursts (it is a healthy reader too)
      if (i % 16 === 15) await sender.fence(1e9 + i);
    }
    await sender.fence(2e9);
    await eventually(() => healthy.all('msg').length >= messages, 'the healthy reader to get every message', 30_000).catch(() => {});
    const healthyGotAll = healthy.all('msg').length === messages && healthy.all('msg').every((m, i) => m.seq === i + 1);
    await eventually(async () => (await metric(relay.url, 'parley_closes_total', '{reason="slow_consumer"}')) >= readers, 'every slow reader to be cut off', 15_000).catch(() => {});
    const cutOff = await metric(relay.url, 'parley_closes_total', '{reason="slow_consumer"}');
    // a ping flood from a peer that never reads: the pongs pile up until ws cuts it
    const pinger = await RawSocket.connect(relay.port, { neverRead: true });
    const ping = Buffer.concat(Array.from({ length: 500 }, () => Buffer.from([0x89, 0x80 | 125, 0, 0, 0, 0, ...Buffer.alloc(125, 1)])));
    let writes = 0;
    while (!pinger.socket.destroyed && writes < 2000) {
      pinger.socket.write(ping);
      writes++;
      if (writes % 20 === 0) await sleep(1);
    }
    const pingFloodCut = await Promise.race([new Promise<boolean>((r) => pinger.socket.once('close', () => r(true))), sleep(5000).then(() => pinger.socket.destroyed)]);
    const peak = await relay.peak();
    for (const r of slow) r.destroy();
    pinger.destroy();
    for (const p of peers) await p.close();
    peers.length = 0;
    await sleep(1000);
    const after = held(await relay.memory());
    return {
      readers,
      capBytes,
      messages,
      textLength,
      bytesPerReader: messages * (textLength + 120),
      cutOff,
      healthyGotAll,
      baseline,
      peakHeap: peak.heap,
      peakRss: peak.rss,
      after,
      pingFloodCut,
      seconds: (Date.now() - started) / 1000,
    };
  } finally {
    for (const r of slow) r.destroy();
    for (const p of peers) await p.close();
    await relay.close();
  }
}

export function slowLines(f: SlowFigures): string[] {
  const mb = (b: number): string => `${(b / 1048576).toFixed(1)} MiB`;
  return [
    `slow consumers: ${f.readers} readers that never read, cap ${mb(f.capBytes)}, ${f.messages} messages of ${f.textLength} characters (${mb(f.bytesPerReader)} owed to each); ` +
      `cut off with 4001: ${f.cutOff}/${f.readers}; healthy reader got all: ${f.healthyGotAll}; ping flood without reading cut: ${f.pingFloodCut}`,
    `slow consumers: relay heap+external baseline ${mb(f.baseline)}, peak ${mb(f.peakHeap)} (RSS peak ${mb(f.peakRss)}), after ${mb(f.after)}; ${f.seconds.toFixed(1)} s`,
  ];
}
