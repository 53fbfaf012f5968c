/**
 * The real relay CLI (`node packages/relay/dist/cli.js`) as a child process,
 * for what only a process can show: SIGTERM and SIGKILL, restarts on the same
 * port, and the log lines it really writes.
 *
 * @example
 * ```ts
 * const relay = await RelayProcess.start({ port: 0, log: 'info' });
 * await relay.kill('SIGKILL');
 * const again = await RelayProcess.start({ port: relay.port });
 * ```
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** The relay's CLI, built by `npx tsc -b`. */
export const RELAY_CLI = fileURLToPath(new URL('../../packages/relay/dist/cli.js', import.meta.url));

/** CLI flags (`--key value`); numbers and booleans are passed as text. */
export type Flags = Record<string, string | number | boolean>;

export class RelayProcess {
  /** Every stdout line, as written (log injection tests read these). */
  readonly lines: string[] = [];
  /** The stdout lines that parse as JSON objects. */
  readonly logs: Array<Record<string, unknown>> = [];
  /** Resolves with the exit code (or the signal's name). */
  readonly exited: Promise<number | string>;
  stderr = '';

  private constructor(
    readonly child: ChildProcess,
    readonly port: number,
    lines: string[],
    logs: Array<Record<string, unknown>>,
  ) {
    this.lines = lines;
    this.logs = logs;
    this.exited = new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode ?? child.signalCode!);
      else child.once('exit', (code, signal) => resolve(code ?? signal ?? -1));
    });
  }

  get wsUrl(): string {
    return `ws://127.0.0.1:${this.port}/chat`;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Whether the process is still running. */
  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /**
   * Spawns the CLI with `flags` (host defaults to 127.0.0.1) and resolves with
   * the port from its start-up log line. `nodeArgs` go before the script;
   * `cwd` is the working directory (where the command's default store lives).
   */
  static start(flags: Flags = {}, nodeArgs: string[] = [], cwd?: string): Promise<RelayProcess> {
    // history in memory unless the test names a store (the command's own default is a SQLite file in the working directory)
    const store: Flags = flags.store === undefined && flags.redis === undefined ? { store: 'memory' } : {};
    const all: Flags = { host: '127.0.0.1', port: 0, log: 'info', ...store, ...flags };
    const args = Object.entries(all).flatMap(([k, v]) => [`--${k}`, String(v)]);
    const child = spawn(process.execPath, [...nodeArgs, RELAY_CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], cwd });
    const lines: string[] = [];
    const logs: Array<Record<string, unknown>> = [];
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    return new Promise((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(() => {
        settled = true;
        child.kill('SIGKILL');
        reject(new Error(`the relay process did not start within 15 s: ${stderr}`));
      }, 15_000);
      child.once('exit', (code) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(new Error(`the relay process exited with ${code} before listening: ${stderr}`));
      });
      createInterface({ input: child.stdout! }).on('line', (line) => {
        lines.push(line);
        let entry: Record<string, unknown> | undefined;
        try {
          const parsed: unknown = JSON.parse(line);
          if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) entry = parsed as Record<string, unknown>;
        } catch {
          // not JSON: kept in `lines` only
        }
        if (!entry) return;
        logs.push(entry);
        if (!settled && typeof entry.port === 'number' && typeof entry.wsUrl === 'string') {
          settled = true;
          clearTimeout(timer);
          const p = new RelayProcess(child, entry.port, lines, logs);
          p.stderr = stderr;
          child.stderr!.on('data', (d: Buffer) => (p.stderr += d.toString()));
          resolve(p);
        }
      });
    });
  }

  /** Sends `signal` and resolves when the process has exited (SIGKILL after 10 s if it has not). */
  async kill(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | string> {
    if (!this.alive) return this.exited;
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}
