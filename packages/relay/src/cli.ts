#!/usr/bin/env node
/**
 * `parley-relay`: the relay from the command line. SIGTERM and SIGINT shut it
 * down gracefully (clients get 1001 and reconnect elsewhere) and exit 0.
 *
 * @example
 * ```sh
 * parley-relay --port 8080 --origins https://example.com
 * PARLEY_TOKEN_SECRET=... parley-relay --anonymous false
 * ```
 */
import { helpText, parseCli, withCommandDefaults } from './config/cli-args.js';
import { ConfigError } from './config/config.js';
import { DEFAULT_SHUTDOWN_TIMEOUT_MS } from './config/options.js';
import { createRelay } from './relay.js';
import { parseUserCommand } from './config/user-command.js';
import { eraseUserData, exportUserData } from './user-data.js';

/** Exit status for a bad command line or configuration. */
const EXIT_USAGE = 2;
/** Exit status when the relay cannot start or stop cleanly. */
const EXIT_FAILURE = 1;
/** Extra time beyond the shutdown timeout before the process exits regardless, ms. */
const EXIT_GRACE_MS = 2000;

function fail(message: string, status: number): never {
  process.stderr.write(`parley-relay: ${message}\n`);
  process.exit(status);
}

/** `parley-relay user export|erase <id>`: prints the export, or the erase's counts, as JSON. */
async function userCommand(argv: string[]): Promise<void> {
  const request = parseUserCommand(argv, process.env);
  if (request.kind === 'usage') fail(`${request.message} (see --help)`, EXIT_USAGE);
  if (request.kind === 'help') {
    process.stdout.write(helpText());
    return;
  }
  try {
    const { action, user, options } = request;
    const result = action === 'export' ? await exportUserData(user, options) : await eraseUserData(user, options);
    process.stdout.write(JSON.stringify(result, null, 2) + '\n');
  } catch (err) {
    if (err instanceof ConfigError) fail(`${err.message} (see --help)`, EXIT_USAGE);
    fail(err instanceof Error ? err.message : String(err), EXIT_FAILURE);
  }
}

async function main(): Promise<void> {
  if (process.argv[2] === 'user') return userCommand(process.argv.slice(3));
  const request = parseCli(process.argv.slice(2), process.env);
  if (request.kind === 'help') {
    process.stdout.write(helpText());
    return;
  }
  if (request.kind === 'usage') fail(`${request.message} (see --help)`, EXIT_USAGE);
  let relay;
  try {
    relay = await createRelay(withCommandDefaults(request.options));
  } catch (err) {
    if (err instanceof ConfigError) fail(`${err.message} (see --help)`, EXIT_USAGE);
    fail(err instanceof Error ? err.message : String(err), EXIT_FAILURE);
  }
  const handle = relay;
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) fail(`${signal} again: exiting at once`, EXIT_FAILURE);
    stopping = true;
    const limit = (request.options.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS) + EXIT_GRACE_MS;
    setTimeout(() => fail('shutdown took too long', EXIT_FAILURE), limit).unref();
    handle.close().then(
      () => process.exit(0),
      (err: unknown) => fail(`shutdown failed: ${err instanceof Error ? err.message : String(err)}`, EXIT_FAILURE),
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => fail(err instanceof Error ? err.message : String(err), EXIT_FAILURE));
