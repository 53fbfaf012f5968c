// The machine the benchmark runs on, and how busy it was: the report says
// which other load shared the cores, because these machines are shared.
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { readFileSync, readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

/** Clock ticks per second of /proc/stat (USER_HZ; 100 on Linux). */
export const USER_HZ = 100;

/** CPU seconds all kernel threads (children of kthreadd, pid 2) have used so far. */
function kernelThreadsCpu() {
  let ticks = 0;
  for (const name of readdirSync('/proc')) {
    if (name.charCodeAt(0) > 57) continue;
    let stat;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (f[1] === '2' || name === '2') ticks += Number(f[11]) + Number(f[12]);
  }
  return ticks / USER_HZ;
}

/**
 * CPU seconds the machine's user processes spent so far (all cores), or
 * undefined off Linux: every non-idle tick minus what kernel threads used.
 * Kernel threads are left out because, under heavy loopback traffic, the
 * network work a benchmark causes moves from the sending process (where
 * it counts as that process's system time) to ksoftirqd, and would look
 * like someone else's load. `irq` is the interrupt and softirq time, for
 * the report.
 */
export function machineCpu() {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
    const [user, nice, system, idle, iowait, irq, softirq, steal = 0] = line.trim().split(/\s+/).slice(1).map(Number);
    return {
      busy: (user + nice + system + irq + softirq + steal) / USER_HZ - kernelThreadsCpu(),
      irq: (irq + softirq) / USER_HZ,
      total: (user + nice + system + idle + iowait + irq + softirq + steal) / USER_HZ,
    };
  } catch {
    return undefined;
  }
}

/** Cores' worth of CPU the machine's user processes used between two machineCpu() readings, over `seconds`. */
export function machineBusyCores(a, b, seconds) {
  if (!a || !b) return NaN;
  return (b.busy - a.busy) / seconds;
}

/** Open-file limit of a shell started from here. */
function openFileLimit() {
  const r = spawnSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : '?';
}

/** What the report says about the machine. */
export function describeMachine() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0] ? cpus[0].model.trim() : 'unknown',
    cores: cpus.length,
    memGB: os.totalmem() / 2 ** 30,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    openFiles: openFileLimit(),
    loadavg: os.loadavg(),
  };
}

/**
 * Waits until the rest of the machine is quiet: the whole machine used at
 * most `maxCores` over a `windowMs` sample (call it when no benchmark process
 * runs, so everything measured is someone else's). Gives up after
 * `timeoutMs`. Resolves with {quiet, waitedMs, busyCores}.
 */
export async function waitForQuiet({ maxCores = 0.25, windowMs = 1000, timeoutMs = 20_000 } = {}) {
  const start = Date.now();
  let busyCores = NaN;
  for (;;) {
    const a = machineCpu();
    await new Promise((r) => setTimeout(r, windowMs));
    const b = machineCpu();
    if (!a || !b) return { quiet: true, waitedMs: 0, busyCores: NaN };
    busyCores = machineBusyCores(a, b, windowMs / 1000);
    if (busyCores <= maxCores) return { quiet: true, waitedMs: Date.now() - start, busyCores };
    if (Date.now() - start >= timeoutMs) return { quiet: false, waitedMs: Date.now() - start, busyCores };
  }
}

/** CPU seconds (user + system) process `pid` has used so far, read from /proc; NaN when unreadable. */
export function processCpu(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / USER_HZ;
  } catch {
    return NaN;
  }
}

/**
 * A reading of the whole machine and of the benchmark's own processes at
 * one instant, so that "the rest of the machine" is measured over exactly
 * the same window as the benchmark (IPC replies from a busy server can come
 * late; /proc does not).
 */
export function sample(pids) {
  return { t: performance.now(), machine: machineCpu(), own: pids.reduce((s, pid) => s + processCpu(pid), 0) };
}

/** Cores used by the rest of the machine's user processes between two samples. */
export function otherCores(a, b) {
  if (!a.machine || !b.machine) return NaN;
  const seconds = (b.t - a.t) / 1000;
  return Math.max(0, (b.machine.busy - a.machine.busy - (b.own - a.own)) / seconds);
}

/** Interrupt and softirq time, machine-wide, in cores, between two samples. */
export function softirqCores(a, b) {
  if (!a.machine || !b.machine) return NaN;
  return (b.machine.irq - a.machine.irq) / ((b.t - a.t) / 1000);
}
