/**
 * The `parley-relay user export|erase <id>` command line: the action, the
 * user id, and the relay's own flags and `PARLEY_*` variables (of which
 * `store` and `dataDir` say where the data is).
 */
import { parseArgs } from 'node:util';
import { USER_USAGE, fromText } from './cli-args.js';
import { OPTION_SPECS, envOf, flagOf, type RelayOptions } from './options.js';

/** What `parley-relay user` can do. */
export const USER_ACTIONS = ['export', 'erase'] as const;
/** One of {@link USER_ACTIONS}. */
export type UserAction = (typeof USER_ACTIONS)[number];

/** What a `user` command line asks for. */
export type UserRequest = { kind: 'user'; action: UserAction; user: string; options: RelayOptions } | { kind: 'help' } | { kind: 'usage'; message: string };

/**
 * Reads the arguments after `user`.
 *
 * @example
 * ```ts
 * parseUserCommand(['erase', 'u_ada', '--data-dir', '/srv/parley'], {});
 * // { kind: 'user', action: 'erase', user: 'u_ada', options: { dataDir: '/srv/parley' } }
 * ```
 */
export function parseUserCommand(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): UserRequest {
  const flags: Record<string, { type: 'string' | 'boolean'; short?: string }> = { help: { type: 'boolean', short: 'h' } };
  for (const spec of OPTION_SPECS) flags[flagOf(spec.key)] = { type: 'string' };
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: [...argv], options: flags, strict: true, allowPositionals: true }));
  } catch (err) {
    const name = /'(-[^' ]+)/.exec((err as Error).message)?.[1];
    return { kind: 'usage', message: (err as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? `unknown option ${name}` : (err as Error).message.split('\n')[0]! };
  }
  if (values.help) return { kind: 'help' };
  const [action, user, ...extra] = positionals;
  if (action === undefined) return { kind: 'usage', message: `user needs a command: ${USER_USAGE}` };
  if (!(USER_ACTIONS as readonly string[]).includes(action)) return { kind: 'usage', message: `unknown user command ${JSON.stringify(action)}: ${USER_USAGE}` };
  if (user === undefined || user === '') return { kind: 'usage', message: `user ${action} needs a user id: ${USER_USAGE}` };
  if (extra.length > 0) return { kind: 'usage', message: `unexpected argument ${extra[0]}` };
  const options: Record<string, unknown> = {};
  for (const spec of OPTION_SPECS) {
    const flag = values[flagOf(spec.key)];
    const text = typeof flag === 'string' ? flag : env[envOf(spec.key)];
    if (text !== undefined && text !== '') options[spec.key] = fromText(spec, text);
  }
  return { kind: 'user', action: action as UserAction, user, options: options as RelayOptions };
}
