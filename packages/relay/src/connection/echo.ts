/**
 * The seed profile's `/ws`: every frame is sent straight back, text as text
 * and binary as binary, under the same rate limit and send-buffer cap as
 * every other connection.
 */
import { CloseCode } from '@parley/protocol';
import type { WebSocket } from 'ws';
import { closeSocket, socketErrorLabel, type CloseLabel } from '../wire/closing.js';
import type { RelayContext } from '../handlers/context.js';
import { TokenBucket } from '../limits/token-bucket.js';

/** An echo connection, as the gateway closes it. */
export interface EchoEndpoint {
  /** Always settled: echo handles every frame at once. */
  readonly idle: Promise<void>;
  close(code: number, reason: string, label: CloseLabel): void;
}

/**
 * @example
 * ```ts
 * wss.handleUpgrade(req, socket, head, (ws) => serveEcho(ws, ctx));
 * ```
 */
export function serveEcho(ws: WebSocket, ctx: RelayContext): EchoEndpoint {
  const { config, metrics } = ctx;
  const bucket = new TokenBucket(config.rateBurst, config.ratePerSecond);
  let open = true;
  let label: CloseLabel = 'client';
  const close = (code: number, reason: string, why: CloseLabel): void => {
    if (!open) return;
    open = false;
    metrics.closes.labels(why).inc();
    closeSocket(ws, code, reason);
  };
  ws.on('error', (err) => (label = socketErrorLabel(err)));
  ws.on('close', () => {
    if (open) metrics.closes.labels(label).inc();
    open = false;
  });
  ctx.heartbeat.track(ws, () => close(CloseCode.HeartbeatTimeout, 'heartbeat timeout', 'heartbeat'));
  ws.on('message', (data, isBinary) => {
    metrics.countIn('echo');
    if (!open || ctx.closing) return;
    if (!bucket.take()) {
      metrics.drops.labels('rate_limited').inc();
      return;
    }
    const size = (data as Buffer).length;
    if (ws.bufferedAmount + size > config.sendBufferBytes) return close(CloseCode.SlowConsumer, 'reading too slowly', 'slow_consumer');
    ws.send(data as Buffer, { binary: isBinary });
    metrics.framesOut++;
    metrics.messagesOut++;
  });
  return { idle: Promise.resolve(), close };
}
