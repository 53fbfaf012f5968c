/**
 * Connection exhaustion: one address may hold at most `maxConnectionsPerIp`
 * WebSockets (one more is closed with 4006, other addresses are unaffected,
 * a closed one counts back); sockets that never say hello are closed with
 * 4002 at the hello timeout; and TCP connections that never even finish
 * their upgrade request are closed too (measured: how long the relay keeps them).
 */
import { createRelay } from '@parley/relay';
import net from 'node:net';
import { Peer } from '../support/peer.js';
import { eventually, sleep } from '../support/wait.js';

export interface ExhaustionFigures {
  limit: number;
  /** Close code of the connection one past the limit. */
  overLimitCode: number;
  /** Whether another loopback address could still connect, and whether a freed slot was reusable. */
  otherAddressOk: boolean;
  freedSlotOk: boolean;
  helloTimeoutMs: number;
  /** Close codes and ms to close of the sockets that never said hello. */
  idleCodes: number[];
  idleClosedAfterMs: number[];
  /** How long (ms) TCP connections that never finished an upgrade request stayed open (Infinity: still open at the bound). */
  rawIdleMs: number[];
  rawBoundMs: number;
  /** Connections the relay counted at the end (must be 0). */
  leftOver: number;
}

async function healthConnections(url: string): Promise<number> {
  return ((await (await fetch(`${url}/healthz`)).json()) as { connections: number }).connections;
}

export async function runExhaustion(options: { limit?: number; helloTimeoutMs?: number; rawBoundMs?: number } = {}): Promise<ExhaustionFigures> {
  const { limit = 10, helloTimeoutMs = 500, rawBoundMs = 3000 } = options;
  const relay = await createRelay({ port: 0, host: '127.0.0.1', log: false, maxConnectionsPerIp: limit, helloTimeoutMs });
  const http = `http://127.0.0.1:${relay.port}`;
  const peers: Peer[] = [];
  const raws: net.Socket[] = [];
  try {
    // the limit
    const opened = Date.now();
    for (let i = 0; i < limit; i++) peers.push(await Peer.open(relay.wsUrl));
    const over = await Peer.open(relay.wsUrl);
    const overLimitCode = (await over.closed).code;
    let otherAddressOk = false;
    try {
      const other = await Peer.open(relay.wsUrl, 'parley.v1', { localAddress: '127.0.0.2' });
      otherAddressOk = (await other.hello({ nick: 'elsewhere' })).type === 'welcome';
      await other.close();
    } catch {
      otherAddressOk = false;
    }
    await peers[0]!.drop();
    await sleep(50);
    const again = await Peer.open(relay.wsUrl);
    const freedSlotOk = (await again.hello({ nick: 'again' })).type === 'welcome';
    await again.close();
    // the hello timeout closes every silent one
    const idle = await Promise.all(peers.slice(1).map((p) => p.closed));
    const idleClosedAfterMs = idle.map(() => Date.now() - opened);
    // TCP connections that never finish their upgrade request: nothing, half a request line, one byte
    const rawIdleMs: number[] = [];
    const started = Date.now();
    const closedAt = new Map<net.Socket, number>();
    for (const first of ['', 'GET /chat HTTP/1.1\r\nHost: x\r\n', 'G']) {
      const s = net.connect(relay.port, '127.0.0.1');
      s.on('error', () => {});
      s.on('close', () => closedAt.set(s, Date.now()));
      if (first) s.on('connect', () => s.write(first));
      raws.push(s);
    }
    await eventually(() => closedAt.size === raws.length, 'idle TCP connections to be closed', rawBoundMs, 50).catch(() => {});
    for (const s of raws) rawIdleMs.push(closedAt.has(s) ? closedAt.get(s)! - started : Infinity);
    for (const s of raws) s.destroy();
    await sleep(100);
    return {
      limit,
      overLimitCode,
      otherAddressOk,
      freedSlotOk,
      helloTimeoutMs,
      idleCodes: idle.map((c) => c.code),
      idleClosedAfterMs,
      rawIdleMs,
      rawBoundMs,
      leftOver: await healthConnections(http),
    };
  } finally {
    for (const s of raws) s.destroy();
    await Promise.all(peers.map((p) => p.close()));
    await relay.close();
  }
}

export function exhaustionLines(f: ExhaustionFigures): string[] {
  const raw = f.rawIdleMs.map((t) => (Number.isFinite(t) ? `${t} ms` : `open after ${f.rawBoundMs} ms`)).join(', ');
  return [
    `exhaustion: limit ${f.limit} per address: one more closed with ${f.overLimitCode}; another address ${f.otherAddressOk ? 'served' : 'REFUSED'}; a freed slot ${f.freedSlotOk ? 'reused' : 'NOT reused'}`,
    `exhaustion: ${f.idleCodes.length} sockets without hello closed with ${[...new Set(f.idleCodes)].join('/')} after at most ${Math.max(...f.idleClosedAfterMs)} ms (hello timeout ${f.helloTimeoutMs} ms); ` +
      `TCP connections that never finished an upgrade request (nothing / half a request / one byte): ${raw}; connections left: ${f.leftOver}`,
  ];
}
