/**
 * The relay's plain HTTP side: the demo pages at `/`, the widget bundle at
 * `/widget.js`, the client SDK bundle at `/parley-client.js`, `GET /healthz`,
 * `GET /metrics` (unless `metricsPort` serves it apart: then 404 here), and a
 * readable 426 for a plain request to a WebSocket path. Every answer says
 * `X-Content-Type-Options: nosniff`; a request that carries a body (none is
 * read) is answered with `Connection: close`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RelayConfig } from '../config/config.js';
import type { Logger } from '../observability/logger.js';
import type { RelayMetrics } from '../observability/metrics.js';
import { MetricsGate, serveMetrics } from './metrics-endpoint.js';
import { pathOf, routeOf } from './routes.js';
import { carriesBody } from './server-timeouts.js';
import { sendFile, sendText, serveStatic } from './static-files.js';

/** What `GET /healthz` answers. */
export interface Health {
  /** `degraded`: Redis is unreachable or the store refuses writes (sends are refused with `unavailable`); `closing`: shutting down. */
  status: 'ok' | 'degraded' | 'closing';
  connections: number;
  rooms: number;
  sessions: number;
  /** Seconds since the relay started. */
  uptime: number;
  /** With Redis: whether it is reachable. */
  redis?: 'up' | 'down';
  /** With Redis: this relay's node id. */
  node?: string;
  /** With a store that can tell (SQLite): whether it takes writes. */
  store?: 'up' | 'down';
}

/** Path of the health check. */
export const HEALTH_PATH = '/healthz';
/** Path of the Prometheus metrics. */
export const METRICS_PATH = '/metrics';
/** Path of the widget bundle. */
export const WIDGET_PATH = '/widget.js';
/** Path of the widget bundle's source map (the name its `sourceMappingURL` comment gives). */
export const WIDGET_MAP_PATH = '/widget.js.map';
/** Path of the client SDK bundle (an ES module: `import { createClient } from '/parley-client.js'`). */
export const CLIENT_PATH = '/parley-client.js';
/**
 * Paths of the client bundle's source map: its own name, and the one the
 * bundle's `sourceMappingURL` comment names (`parley-client.min.js.map`).
 */
export const CLIENT_MAP_PATHS: readonly string[] = ['/parley-client.js.map', '/parley-client.min.js.map'];
/** The folder of `staticDir` holding browser-test fixtures, served only with `serveTestPages`. */
export const TEST_PAGES_DIR = 'test';

const NOT_BUILT = 'is not built yet: run `npm run build` at the repository root.';

const UPGRADE_TEXT =
  'This is a WebSocket endpoint: connect with a WebSocket client (for /chat, offering the subprotocol parley.v1), not a plain HTTP request.';

/**
 * @example
 * ```ts
 * http.createServer(createHttpHandler(config, metrics, () => health(), log));
 * ```
 */
export function createHttpHandler(
  config: RelayConfig,
  metrics: RelayMetrics,
  health: () => Health,
  log: Logger,
): (req: IncomingMessage, res: ServerResponse) => void {
  const gate = new MetricsGate(config.metricsToken);
  const metricsHere = config.metricsPort === undefined;
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    // the rest of a body is never waited for: the socket closes after the answer
    const close = carriesBody(req);
    if (close) res.shouldKeepAlive = false;
    const path = pathOf(req.url);
    if (path === null) return sendText(res, 400, 'Bad request URL.');
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendText(res, 405, 'Only GET and HEAD are served.', { Allow: 'GET, HEAD' });
    const route = routeOf(path);
    if (route !== null) return sendText(res, 426, UPGRADE_TEXT, { Upgrade: 'websocket', Connection: close ? 'close' : 'Upgrade' });
    if (path === HEALTH_PATH) {
      const h = health();
      const body = JSON.stringify(h);
      res.writeHead(h.status === 'ok' ? 200 : 503, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
      return void res.end(req.method === 'HEAD' ? undefined : body);
    }
    if (path === METRICS_PATH) return metricsHere ? serveMetrics(req, res, metrics, gate) : sendText(res, 404, 'Not found.');
    if (path === WIDGET_PATH) return sendFile(req, res, config.widgetFile, `The widget bundle ${NOT_BUILT}`);
    if (path === WIDGET_MAP_PATH) return sendFile(req, res, config.widgetFile + '.map', `The widget bundle ${NOT_BUILT}`);
    if (path === CLIENT_PATH) return sendFile(req, res, config.clientFile, `The client SDK bundle ${NOT_BUILT}`);
    if (CLIENT_MAP_PATHS.includes(path)) return sendFile(req, res, config.clientFile + '.map', `The client SDK bundle ${NOT_BUILT}`);
    // the test fixtures are framed by the test runner's page, another origin
    return serveStatic(req, res, config.staticDir, path, config.serveTestPages ? [] : [TEST_PAGES_DIR], [TEST_PAGES_DIR]);
  };
  return (req, res) => {
    handle(req, res).catch((err: unknown) => {
      log.error({ err, url: req.url }, 'http handler failed');
      if (!res.headersSent) sendText(res, 500, 'Internal error.');
      else res.destroy();
    });
  };
}
