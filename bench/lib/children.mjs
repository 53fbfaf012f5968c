// Child processes of the benchmark: started pinned to a core when `taskset`
// exists, spoken to over IPC with request/response ids, and killed when the
// runner ends for any reason (normal exit, error, Ctrl-C).
import { spawn, spawnSync } from 'node:child_process';

/** Longest a child may live before it exits by itself (see lib/ipc.mjs). */
export const CHILD_LIFETIME_MS = 15 * 60_000;
/** How long a request to a child may take unless the caller says otherwise. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;

const live = new Set();
let tasksetChecked = false;
let tasksetWorks = false;

/** Whether `taskset -c 0` works here (it needs util-linux and two cores to matter). */
export function canPin() {
  if (!tasksetChecked) {
    tasksetChecked = true;
    const r = spawnSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore' });
    tasksetWorks = r.status === 0;
  }
  return tasksetWorks;
}

/**
 * Starts `node [nodeArgs] script [args]` with an IPC channel, pinned to `core`
 * when possible. The child is killed when this process exits.
 *
 * @example
 *   const server = startChild('server-host.mjs', { core: 0, args: ['ws'] });
 *   const { port } = await server.ready();
 */
export function startChild(script, { core, args = [], nodeArgs = [], name = script, env = {} } = {}) {
  const pin = core !== undefined && canPin();
  const node = [...nodeArgs, script, ...args];
  const cmd = pin ? 'taskset' : process.execPath;
  const argv = pin ? ['-c', String(core), process.execPath, ...node] : node;
  const proc = spawn(cmd, argv, {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, BENCH_CHILD_LIFETIME_MS: String(CHILD_LIFETIME_MS), ...env },
  });
  live.add(proc);
  return new Child(proc, name, pin ? core : undefined);
}

/** Kills every child still running (SIGKILL: they hold nothing worth saving). */
export function killAllChildren() {
  for (const proc of live) {
    try { proc.kill('SIGKILL'); } catch { /* already gone */ }
  }
  live.clear();
}

process.on('exit', killAllChildren);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    killAllChildren();
    process.exit(130);
  });
}

/** One child process and its IPC requests. */
export class Child {
  constructor(proc, name, core) {
    this.proc = proc;
    this.name = name;
    this.core = core;
    this.pid = proc.pid;
    this.nextId = 1;
    this.pending = new Map();
    this.readyWaiters = [];
    this.readyInfo = undefined;
    this.exited = false;
    proc.on('message', (m) => this.onMessage(m));
    proc.on('exit', (code, signal) => {
      this.exited = true;
      live.delete(proc);
      const err = new Error(`${name} exited (code ${code}, signal ${signal})`);
      for (const { reject, timer } of this.pending.values()) { clearTimeout(timer); reject(err); }
      this.pending.clear();
      for (const w of this.readyWaiters) w.reject(err);
      this.readyWaiters = [];
    });
  }

  onMessage(m) {
    if (m && m.event === 'ready') {
      this.readyInfo = m;
      for (const w of this.readyWaiters) w.resolve(m);
      this.readyWaiters = [];
      return;
    }
    const p = m && this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    clearTimeout(p.timer);
    if (m.ok) p.resolve(m.result);
    else p.reject(new Error(`${this.name}: ${m.error}`));
  }

  /** Resolves with the child's `ready` message. */
  ready(timeoutMs = 30_000) {
    if (this.readyInfo) return Promise.resolve(this.readyInfo);
    if (this.exited) return Promise.reject(new Error(`${this.name} has exited`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.name} not ready after ${timeoutMs} ms`)), timeoutMs);
      this.readyWaiters.push({
        resolve: (v) => { clearTimeout(timer); resolve(v); },
        reject: (e) => { clearTimeout(timer); reject(e); },
      });
    });
  }

  /** Sends `{cmd, ...params}` and resolves with the child's result. */
  request(cmd, params = {}, timeoutMs = DEFAULT_REQUEST_TIMEOUT_MS) {
    if (this.exited) return Promise.reject(new Error(`${this.name} has exited`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${this.name}: ${cmd} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.proc.send({ id, cmd, ...params });
    });
  }

  /** Asks the child to stop, then kills it if it has not exited within `graceMs`. */
  async stop(graceMs = 10_000) {
    if (this.exited) return;
    const exited = new Promise((resolve) => this.proc.once('exit', resolve));
    this.request('stop', {}, graceMs).catch(() => {});
    const timer = setTimeout(() => { try { this.proc.kill('SIGKILL'); } catch { /* gone */ } }, graceMs);
    await exited;
    clearTimeout(timer);
  }
}
