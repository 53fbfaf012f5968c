/**
 * The metrics listener: with `metricsPort`, `/metrics` is served on a port
 * (and interface, `metricsHost`) of its own, which a firewall or a
 * loopback-only address keeps private, and the chat port answers 404 for
 * it. This listener serves nothing else (every other path is 404) and
 * upgrades nothing.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RelayConfig } from '../config/config.js';
import type { Logger } from '../observability/logger.js';
import type { RelayMetrics } from '../observability/metrics.js';
import { METRICS_PATH } from './http-handler.js';
import { MetricsGate, serveMetrics } from './metrics-endpoint.js';
import { pathOf } from './routes.js';
import { carriesBody, httpServerOptions } from './server-timeouts.js';
import { sendText } from './static-files.js';

/** `host` as a URL names it: `localhost` for every interface, IPv6 in brackets. */
const urlHost = (host: string): string => (host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host);

/**
 * @example
 * ```ts
 * const listener = await MetricsListener.start(config, metrics, log); // config.metricsPort set
 * listener.url; // 'http://127.0.0.1:9464/metrics'
 * await listener.close();
 * ```
 */
export class MetricsListener {
  private constructor(
    private readonly server: Server,
    /** Where the metrics are scraped: `http://host:port/metrics`. */
    readonly url: string,
  ) {}

  /**
   * Listens on `metricsHost`:`metricsPort`; rejects when it cannot (the
   * message names the address).
   */
  static async start(config: RelayConfig, metrics: RelayMetrics, log: Logger): Promise<MetricsListener> {
    const gate = new MetricsGate(config.metricsToken);
    const handle = (req: IncomingMessage, res: ServerResponse): void => {
      if (carriesBody(req)) res.shouldKeepAlive = false;
      if (req.method !== 'GET' && req.method !== 'HEAD') return sendText(res, 405, 'Only GET and HEAD are served.', { Allow: 'GET, HEAD' });
      if (pathOf(req.url) !== METRICS_PATH) return sendText(res, 404, `This port serves ${METRICS_PATH} only.`);
      serveMetrics(req, res, metrics, gate).catch((err: unknown) => {
        log.error({ err }, 'metrics scrape failed');
        if (!res.headersSent) sendText(res, 500, 'Internal error.');
        else res.destroy();
      });
    };
    const server = createServer(httpServerOptions(config.helloTimeoutMs), handle);
    const host = config.metricsHost;
    const port = config.metricsPort!;
    await new Promise<void>((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException): void => reject(new Error(`cannot listen for metrics on ${host}:${port}: ${err.code ?? err.message}`));
      server.once('error', onError);
      server.listen(port, host, () => {
        server.off('error', onError);
        resolve();
      });
    });
    const url = `http://${urlHost(host)}:${(server.address() as AddressInfo).port}${METRICS_PATH}`;
    log.info({ metricsUrl: url, token: config.metricsToken !== undefined }, `metrics served apart on ${url}`);
    return new MetricsListener(server, url);
  }

  /** Stops listening and closes every connection; resolves when closed. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }
}
