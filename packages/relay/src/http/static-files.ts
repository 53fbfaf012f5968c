/**
 * Serves the demo folder: `GET`/`HEAD` of files under one root, with content
 * types, `index.html` for folders, and no way out of the root (`..`,
 * encoded slashes, NUL bytes or symlinks). Every answer says
 * `X-Content-Type-Options: nosniff`; an HTML page also says
 * {@link FRAME_POLICY} unless it is one that may be framed (the browser-test
 * fixtures).
 */
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, sep } from 'node:path';

/** Content types by file extension. */
export const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
};

/**
 * The frame policy of the HTML pages the relay serves: only pages of the
 * relay's own origin may show them in a frame (no clickjacking of the demo
 * pages by another site). Scripts (the bundles) get none: a `<script>` tag
 * on any page may load them.
 */
export const FRAME_POLICY = "frame-ancestors 'self'";

/** Whether `contentType` is an HTML page's. */
const isHtml = (contentType: string): boolean => contentType.startsWith('text/html');

/**
 * Where a folder's address without its trailing slash is sent: the same
 * path with the slash, its leading slashes made one, so that it can never
 * read as a protocol-relative URL (`//host/`) that leaves the relay.
 *
 * @example
 * ```ts
 * folderLocation('/sub');  // '/sub/'
 * folderLocation('//sub'); // '/sub/', not '//sub/' (another host)
 * ```
 */
export function folderLocation(pathname: string): string {
  return '/' + pathname.replace(/^\/+/, '') + '/';
}

/** Sends a short plain-text answer. */
export function sendText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  const body = text + '\n';
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'X-Content-Type-Options': 'nosniff',
    ...headers,
  });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

/**
 * Streams one file with its content type; 404 when it is missing.
 *
 * @example
 * ```ts
 * await sendFile(req, res, '/srv/widget.js', 'The widget is not built.');
 * ```
 */
export async function sendFile(
  req: IncomingMessage,
  res: ServerResponse,
  file: string,
  missing = 'Not found.',
  options: {
    /** Whether an HTML file may be framed by any page (no {@link FRAME_POLICY}). Default false. */
    frameable?: boolean;
  } = {},
): Promise<void> {
  let size: number;
  try {
    const s = await stat(file);
    if (!s.isFile()) throw new Error('not a file');
    size = s.size;
  } catch {
    return sendText(res, 404, missing);
  }
  const type = CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
  res.writeHead(200, {
    'Content-Type': type,
    'Content-Length': size,
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'no-cache',
    ...(isHtml(type) && !options.frameable ? { 'Content-Security-Policy': FRAME_POLICY } : {}),
  });
  if (req.method === 'HEAD') return void res.end();
  const stream = createReadStream(file);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}

/**
 * Serves `pathname` from `root`: a folder answers its `index.html`, a
 * folder's address without its slash a 301 to {@link folderLocation}. The
 * `hidden` folders of `root` (by name) answer 404, however the path spells
 * them; the HTML pages of the `frameable` ones are sent without
 * {@link FRAME_POLICY}.
 *
 * @example
 * ```ts
 * await serveStatic(req, res, '/work/main/demo', '/embed.html', ['test']);
 * ```
 */
export async function serveStatic(
  req: IncomingMessage,
  res: ServerResponse,
  root: string,
  pathname: string,
  hidden: readonly string[] = [],
  frameable: readonly string[] = [],
): Promise<void> {
  let path: string;
  try {
    path = decodeURIComponent(pathname);
  } catch {
    return sendText(res, 400, 'Bad path.');
  }
  if (path.includes('\0') || path.includes('\\') || path.split('/').includes('..')) return sendText(res, 404, 'Not found.');
  let base: string;
  let file: string;
  try {
    base = await realpath(root);
    file = await realpath(join(base, path));
  } catch {
    return sendText(res, 404, 'Not found.');
  }
  if (file !== base && !file.startsWith(base + sep)) return sendText(res, 404, 'Not found.');
  const within = (names: readonly string[]): boolean => names.some((name) => file === join(base, name) || file.startsWith(join(base, name) + sep));
  if (within(hidden)) return sendText(res, 404, 'Not found.');
  try {
    if ((await stat(file)).isDirectory()) {
      if (!pathname.endsWith('/')) return sendText(res, 301, 'Moved.', { Location: folderLocation(pathname) });
      file = join(file, 'index.html');
    }
  } catch {
    return sendText(res, 404, 'Not found.');
  }
  await sendFile(req, res, file, undefined, { frameable: within(frameable) });
}
