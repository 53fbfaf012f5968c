/**
 * Reads relay options from command-line flags and `PARLEY_*` environment
 * variables (flags win), and writes `--help`.
 */
import { parseArgs } from 'node:util';
import { CLI_DEFAULT_STORE, OPTION_SPECS, defaultText, envOf, flagOf, type OptionSpec, type RelayOptions } from './options.js';

/** The usage line of `parley-relay user`, for `--help` and its errors. */
export const USER_USAGE = 'parley-relay user export|erase <id> [options]';

/** What the command line asks for. */
export type CliRequest = { kind: 'help' } | { kind: 'run'; options: RelayOptions } | { kind: 'usage'; message: string };

const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);
const NUMBER = /^-?\d+(\.\d+)?$/;

/** Turns a flag or variable's text into the option's value (invalid text is left for the config check to name). */
export function fromText(spec: OptionSpec, text: string): unknown {
  const t = text.trim();
  switch (spec.kind) {
    case 'integer':
    case 'number':
      return NUMBER.test(t) ? Number(t) : t;
    case 'boolean':
      return TRUE.has(t.toLowerCase()) ? true : FALSE.has(t.toLowerCase()) ? false : t;
    case 'log':
      return TRUE.has(t.toLowerCase()) ? true : FALSE.has(t.toLowerCase()) ? false : t;
    case 'list':
    case 'addresses':
      return t.split(',').map((s) => s.trim()).filter(Boolean);
    default:
      return text;
  }
}

function parseError(err: unknown): string {
  const e = err as { code?: string; message?: string };
  const name = /'(-[^' ]+)/.exec(e.message ?? '')?.[1];
  if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `unknown option ${name ?? ''}`.trim();
  if (e.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') return `unexpected argument ${name ?? (/'([^']+)'/.exec(e.message ?? '')?.[1] ?? '')}`.trim();
  if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') return `option ${name ?? ''} needs a value`.replace('  ', ' ');
  return (e.message ?? String(err)).split('\n')[0]!;
}

/**
 * @example
 * ```ts
 * parseCli(['--port', '0'], { PARLEY_HISTORY_LIMIT: '50' });
 * // { kind: 'run', options: { historyLimit: 50, port: 0 } }
 * ```
 */
export function parseCli(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): CliRequest {
  const flags: Record<string, { type: 'string' | 'boolean'; short?: string }> = { help: { type: 'boolean', short: 'h' } };
  for (const spec of OPTION_SPECS) flags[flagOf(spec.key)] = { type: 'string' };
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: [...argv], options: flags, strict: true, allowPositionals: false }));
  } catch (err) {
    return { kind: 'usage', message: parseError(err) };
  }
  if (values.help) return { kind: 'help' };
  const options: Record<string, unknown> = {};
  for (const spec of OPTION_SPECS) {
    const flag = values[flagOf(spec.key)];
    const text = typeof flag === 'string' ? flag : env[envOf(spec.key)];
    if (text !== undefined && text !== '') options[spec.key] = fromText(spec, text);
  }
  return { kind: 'run', options: options as RelayOptions };
}

/**
 * The command's defaults over `createRelay`'s: history in SQLite
 * ({@link CLI_DEFAULT_STORE}) unless a store or Redis is named.
 *
 * @example
 * ```ts
 * withCommandDefaults({ port: 0 });                 // { port: 0, store: 'sqlite' }
 * withCommandDefaults({ redis: 'redis://r:6379' }); // unchanged: Redis keeps history
 * ```
 */
export function withCommandDefaults(options: RelayOptions): RelayOptions {
  if (options.store !== undefined || options.redis !== undefined) return options;
  return { ...options, store: CLI_DEFAULT_STORE };
}

/** The `--help` text: every option with its flag, variable and default. */
export function helpText(): string {
  const rows = OPTION_SPECS.map((s) => {
    const flag = `--${flagOf(s.key)} <${s.kind === 'log' ? 'level' : s.kind === 'list' || s.kind === 'addresses' ? 'a,b' : s.kind}>`;
    return `  ${flag.padEnd(36)} ${envOf(s.key).padEnd(30)} ${s.help} (default: ${defaultText(s)})`;
  });
  return [
    'Usage: parley-relay [options]',
    `       ${USER_USAGE}`,
    '',
    'Runs the Parley relay: /chat (parley.v1), the seed profile (/ws, /ws/<nickname>),',
    'the demo pages, /widget.js, /healthz and /metrics. Every option can also be set',
    'with its environment variable; a flag wins over the variable.',
    '',
    '`user export <id>` prints as JSON every message a user sent and every message of',
    'their inbox, oldest first; `user erase <id>` replaces what they sent with tombstones,',
    'deletes their inbox and prints the counts. Both use the store the relay would',
    '(--store, --data-dir) and may run while it does.',
    '',
    ...rows,
    `  ${'-h, --help'.padEnd(36)} ${''.padEnd(30)} print this help`,
    '',
  ].join('\n');
}
