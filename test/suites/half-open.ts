/**
 * Half-open connections: the proxy freezes live connections (nothing more
 * passes either way, neither peer is told) and we time how long each side
 * takes to notice. The documented bounds: the client within its ping interval
 * plus ping timeout (both announced in `welcome.limits`), the relay within two
 * of its ping intervals.
 */
import { createRelay, type RelayHandle } from '@parley/relay';
import { createChaosProxy, type ChaosProxy } from '../support/chaos-proxy.js';
import { Participant } from '../support/participant.js';
import { metric } from '../support/metrics.js';
import { summary } from '../support/stats.js';
import { eventually, sleep } from '../support/wait.js';

export interface HalfOpenConfig {
  connections: number;
  relayPingMs: number;
  clientPingMs: number;
  clientPingTimeoutMs: number;
}

export interface HalfOpenFigures {
  config: HalfOpenConfig;
  /** ms from the freeze to each client declaring its socket dead. */
  client: number[];
  /** ms from the freeze to the relay closing each frozen connection for a missed heartbeat. */
  relay: number[];
  clientBoundMs: number;
  relayBoundMs: number;
}

export async function runHalfOpen(config: Partial<HalfOpenConfig> = {}): Promise<HalfOpenFigures> {
  const c: HalfOpenConfig = { connections: 5, relayPingMs: 300, clientPingMs: 300, clientPingTimeoutMs: 300, ...config };
  let relay: RelayHandle | undefined;
  let proxy: ChaosProxy | undefined;
  const people: Participant[] = [];
  try {
    relay = await createRelay({
      port: 0,
      host: '127.0.0.1',
      log: false,
      pingIntervalMs: c.relayPingMs,
      clientPingMs: c.clientPingMs,
      clientPingTimeoutMs: c.clientPingTimeoutMs,
    });
    proxy = await createChaosProxy({ host: '127.0.0.1', port: relay.port });
    for (let i = 0; i < c.connections; i++) {
      people.push(new Participant({ url: proxy.url, nick: `h${i}`, rooms: ['lobby'], backoff: { base: 100, cap: 200 } }));
    }
    for (const p of people) p.connect();
    await Promise.all(people.map((p) => p.opened()));
    await sleep(c.relayPingMs * 2); // a few heartbeats go through first
    const base = await metric(relay.url, 'parley_closes_total', '{reason="heartbeat"}');
    // the relay must find the dead connections by itself: the clients cannot come back and replace them meanwhile
    proxy.refusing = true;
    const frozenAt = Date.now();
    proxy.all('freeze');
    const client: number[] = [];
    const relayTimes: number[] = [];
    const seen = new Set<Participant>();
    const deadline = frozenAt + 4 * (c.relayPingMs * 2 + c.clientPingMs + c.clientPingTimeoutMs) + 2000;
    let relayCount = 0;
    while ((seen.size < people.length || relayCount < people.length) && Date.now() < deadline) {
      for (const p of people) {
        if (!seen.has(p) && p.statuses.some((s) => s.reason === 'heartbeat')) {
          seen.add(p);
          client.push(p.statuses.find((s) => s.reason === 'heartbeat')!.at - frozenAt);
        }
      }
      const now = (await metric(relay.url, 'parley_closes_total', '{reason="heartbeat"}')) - base;
      for (; relayCount < now; relayCount++) relayTimes.push(Date.now() - frozenAt);
      await sleep(10);
    }
    proxy.refusing = false;
    await eventually(() => people.every((p) => p.client.state === 'open'), 'the clients to come back', 10_000);
    return {
      config: c,
      client,
      relay: relayTimes,
      clientBoundMs: c.clientPingMs + c.clientPingTimeoutMs,
      relayBoundMs: 2 * c.relayPingMs,
    };
  } finally {
    for (const p of people) p.close();
    await proxy?.close();
    await relay?.close();
  }
}

export function halfOpenLines(f: HalfOpenFigures): string[] {
  const cl = summary(f.client);
  const rl = summary(f.relay);
  return [
    `half-open: ${f.config.connections} frozen connections; client found ${cl.n} (p50 ${cl.p50} ms, max ${cl.max} ms, bound ${f.clientBoundMs} ms = ping ${f.config.clientPingMs} + timeout ${f.config.clientPingTimeoutMs}); ` +
      `relay found ${rl.n} (p50 ${rl.p50} ms, max ${rl.max} ms, bound ${f.relayBoundMs} ms = 2 x ping ${f.config.relayPingMs})`,
  ];
}
