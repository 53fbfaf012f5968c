/**
 * The seed profile's `/ws`: every frame is sent back, text as text and
 * binary as binary, in order. The rate limit paces it instead of dropping
 * frames ({@link PacedReader}: past the burst the relay reads the socket at
 * the sustained rate); the send-buffer cap cuts a client that stops reading
 * its echoes (4001).
 */
import { CloseCode } from '@parley/protocol';
import type { WebSocket } from 'ws';
import { closeSocket, socketErrorLabel, type CloseLabel } from '../wire/closing.js';
import type { RelayContext } from '../handlers/context.js';
import { PacedReader } from '../limits/paced-reader.js';
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
  let open = true;
  let label: CloseLabel = 'client';
  const echo = (data: Buffer, isBinary: boolean): void => {
    if (!open || ctx.closing) return;
    if (ws.bufferedAmount + data.length > config.sendBufferBytes) return close(CloseCode.SlowConsumer, 'reading too slowly', 'slow_consumer');
    ws.send(data, { binary: isBinary });
    metrics.framesOut++;
    metrics.messagesOut++;
  };
  const reader = new PacedReader(ws, new TokenBucket(config.rateBurst, config.ratePerSecond), echo);
  const close = (code: number, reason: string, why: CloseLabel): void => {
    if (!open) return;
    open = false;
    reader.stop();
    metrics.closes.labels(why).inc();
    closeSocket(ws, code, reason);
  };
  ws.on('error', (err) => (label = socketErrorLabel(err)));
  ws.on('close', () => {
    if (open) metrics.closes.labels(label).inc();
    open = false;
    reader.stop();
  });
  ctx.heartbeat.track(ws, () => close(CloseCode.HeartbeatTimeout, 'heartbeat timeout', 'heartbeat'));
  ws.on('message', (data, isBinary) => {
    metrics.countIn('echo');
    if (!open || ctx.closing) return;
    reader.take(data as Buffer, isBinary);
  });
  return { idle: Promise.resolve(), close };
}
