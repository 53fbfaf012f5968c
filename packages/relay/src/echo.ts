/**
 * The seed profile's `/ws`: every frame is sent straight back, text as text
 * and binary as binary, under the same rate limit and send-buffer cap as
 * every other connection.
 */
import { CloseCode } from '@parley/protocol';
import type { WebSocket } from 'ws';
import { closeSocket } from './closing.js';
import type { RelayContext } from './context.js';
import { TokenBucket } from './token-bucket.js';

/**
 * @example
 * ```ts
 * wss.handleUpgrade(req, socket, head, (ws) => serveEcho(ws, ctx));
 * ```
 */
export function serveEcho(ws: WebSocket, ctx: RelayContext): void {
  const { config, metrics } = ctx;
  const bucket = new TokenBucket(config.rateBurst, config.ratePerSecond);
  let closing = false;
  ctx.heartbeat.track(ws, () => closeSocket(ws, CloseCode.HeartbeatTimeout, 'heartbeat timeout'));
  ws.on('message', (data, isBinary) => {
    metrics.countIn('echo');
    if (closing || ctx.closing) return;
    if (!bucket.take()) {
      metrics.drops.labels('rate_limited').inc();
      return;
    }
    const size = (data as Buffer).length;
    if (ws.bufferedAmount + size > config.sendBufferBytes) {
      closing = true;
      metrics.closes.labels('slow_consumer').inc();
      closeSocket(ws, CloseCode.SlowConsumer, 'reading too slowly');
      return;
    }
    ws.send(data as Buffer, { binary: isBinary });
    metrics.framesOut.inc();
    metrics.messagesOut.inc();
  });
}
