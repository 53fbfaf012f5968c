/**
 * A relay in its own process (test/support/gc-relay.mjs, `--expose-gc`) that
 * reports its memory: after full collections (`memory()`, for "returns to
 * baseline") and the highest seen since the last call (`peak()`, for "stays
 * bounded"). Its CPU is its own, so latency measured against it is not the
 * test's own work.
 *
 * @example
 * ```ts
 * const relay = await ProbedRelay.start({ sendBufferBytes: 65536 });
 * const before = await relay.memory();
 * // ... attack ...
 * const peak = await relay.peak();
 * await relay.close();
 * ```
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { RelayOptions } from '@parley/relay';

const SCRIPT = fileURLToPath(new URL('./gc-relay.mjs', import.meta.url));

type Reply = { type: 'ready'; port: number } | { type: 'mem'; usage: NodeJS.MemoryUsage } | { type: 'peak'; rss: number; heap: number };

export class ProbedRelay {
  private waiting: Array<(reply: Reply) => void> = [];

  private constructor(
    readonly child: ChildProcess,
    readonly port: number,
  ) {
    child.on('message', (m: Reply) => this.waiting.shift()?.(m));
  }

  get wsUrl(): string {
    return `ws://127.0.0.1:${this.port}/chat`;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  static start(options: RelayOptions = {}): Promise<ProbedRelay> {
    const child = fork(SCRIPT, [JSON.stringify(options)], { execArgv: ['--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error('the probed relay did not start within 15 s'));
      }, 15_000);
      child.once('exit', (code) => reject(new Error(`the probed relay exited with ${code}`)));
      child.once('message', (m: Reply) => {
        clearTimeout(timer);
        if (m.type === 'ready') resolve(new ProbedRelay(child, m.port));
      });
    });
  }

  private ask(type: 'mem' | 'peak'): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the probed relay did not answer "${type}"`)), 15_000);
      this.waiting.push((r) => {
        clearTimeout(timer);
        resolve(r);
      });
      this.child.send({ type });
    });
  }

  /** Memory after full garbage collections. */
  async memory(): Promise<NodeJS.MemoryUsage> {
    const r = await this.ask('mem');
    if (r.type !== 'mem') throw new Error('unexpected reply');
    return r.usage;
  }

  /** The highest RSS and heap+external since the last call (or the start). */
  async peak(): Promise<{ rss: number; heap: number }> {
    const r = await this.ask('peak');
    if (r.type !== 'peak') throw new Error('unexpected reply');
    return { rss: r.rss, heap: r.heap };
  }

  /** Whether the process is still running. */
  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Closes the relay and waits for the process to exit (SIGKILL after 10 s). */
  async close(): Promise<void> {
    if (!this.alive) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.send({ type: 'close' });
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

/** heapUsed + external: what the relay's JavaScript holds (RSS includes freed pages the allocator keeps). */
export const held = (m: NodeJS.MemoryUsage): number => m.heapUsed + m.external;
