/**
 * How long the relay's HTTP servers give a request. The first request of a
 * connection is timed by `PreUpgrade` from the moment the socket is
 * accepted; every request, the first and the later ones of a kept-alive
 * socket, must also arrive whole (headers and any body) within
 * `helloTimeoutMs` of its first byte, which Node's own request timing
 * enforces once it is told so. Node's defaults (`headersTimeout` 60 s,
 * `requestTimeout` 300 s, checked every 30 s) let a client that drips its
 * second request, or a body, hold a socket for 90 s to 5.5 minutes.
 *
 * A request that carries a body (the relay reads none) is also answered
 * with `Connection: close`, so the rest of its body is never waited for
 * (see `http-handler.ts`).
 */
import type { IncomingMessage, ServerOptions } from 'node:http';

/**
 * How long a kept-alive socket may sit idle between two requests, ms
 * (Node's `keepAliveTimeout`, here written down rather than left to Node's
 * default). Only silence counts: the first byte of the next request starts
 * that request's own clock, `helloTimeoutMs`.
 */
export const HTTP_KEEP_ALIVE_MS = 5000;

/**
 * How often Node looks for requests past their time, ms (its
 * `connectionsCheckingInterval`, 30 s by default). A request that has not
 * arrived whole is cut at most this long after its `helloTimeoutMs`. The
 * check walks only the sockets in the middle of a request.
 */
export const HTTP_TIMEOUT_CHECK_MS = 1000;

/**
 * The options of a relay HTTP server: every request must arrive whole
 * within `requestMs` of its first byte, and a kept-alive socket may idle
 * {@link HTTP_KEEP_ALIVE_MS} between requests.
 *
 * @example
 * ```ts
 * const server = http.createServer(httpServerOptions(config.helloTimeoutMs), handler);
 * ```
 */
export function httpServerOptions(requestMs: number): ServerOptions {
  return {
    headersTimeout: requestMs,
    requestTimeout: requestMs,
    keepAliveTimeout: HTTP_KEEP_ALIVE_MS,
    connectionsCheckingInterval: HTTP_TIMEOUT_CHECK_MS,
  };
}

/**
 * Whether a request says it carries a body (a `Content-Length` above 0 or
 * any `Transfer-Encoding`). The relay reads no request body; such a request
 * is answered and its connection closed.
 *
 * @example
 * ```ts
 * if (carriesBody(req)) res.shouldKeepAlive = false;
 * ```
 */
export function carriesBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}
