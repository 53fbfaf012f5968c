/**
 * `GET /metrics`: the Prometheus text, behind a bearer token when
 * `metricsToken` is set. The token is compared in constant time (both sides
 * hashed to 32 bytes first, so neither its content nor its length shows in
 * the time an answer takes), and neither it nor what a client presented is
 * ever logged.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RelayMetrics } from '../observability/metrics.js';
import { sendText } from './static-files.js';

/** The `WWW-Authenticate` challenge of a refused scrape. */
export const METRICS_CHALLENGE = 'Bearer realm="parley-metrics"';

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/**
 * Checks `Authorization: Bearer <token>` headers against one token.
 *
 * @example
 * ```ts
 * const gate = new MetricsGate(config.metricsToken);
 * gate.allows(req.headers.authorization); // true when no token is set, or the header carries it
 * ```
 */
export class MetricsGate {
  private readonly expected: Buffer | undefined;

  /** `token`: the `metricsToken` option; `undefined` lets every scrape in. */
  constructor(token: string | undefined) {
    this.expected = token === undefined ? undefined : digest(token);
  }

  /** Whether a request with this `Authorization` header may read the metrics. */
  allows(authorization: string | undefined): boolean {
    if (this.expected === undefined) return true;
    const match = /^Bearer +(\S+) *$/i.exec(authorization ?? '');
    // a missing or malformed header is still compared, so that it takes the time a wrong token takes
    return timingSafeEqual(digest(match?.[1] ?? ''), this.expected) && match !== null;
  }
}

/**
 * Answers a `GET`/`HEAD /metrics`: 401 with {@link METRICS_CHALLENGE}
 * without the token, else the registry's text.
 *
 * @example
 * ```ts
 * if (path === METRICS_PATH) return serveMetrics(req, res, metrics, gate);
 * ```
 */
export async function serveMetrics(req: IncomingMessage, res: ServerResponse, metrics: RelayMetrics, gate: MetricsGate): Promise<void> {
  if (!gate.allows(req.headers.authorization)) {
    return sendText(res, 401, 'The metrics need Authorization: Bearer <metricsToken>.', { 'WWW-Authenticate': METRICS_CHALLENGE, 'Cache-Control': 'no-store' });
  }
  const body = await metrics.registry.metrics();
  res.writeHead(200, { 'Content-Type': metrics.registry.contentType, 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
  res.end(req.method === 'HEAD' ? undefined : body);
}
