// The machine the benchmark runs on, and how busy it was: the report says
// which other load shared the cores, because these machines are shared.
import os from 'node:os';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

/** Clock ticks per second of /proc/stat (USER_HZ; 100 on Linux). */
export const USER_HZ = 100;

/** Busy and total CPU seconds of the whole machine so far (all cores), or undefined off Linux. */
export function machineCpu() {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    const idle = v[3] + (v[4] || 0);
    const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
    return { busy: (total - idle) / USER_HZ, total: total / USER_HZ };
  } catch {
    return undefined;
  }
}

/** Cores' worth of CPU the whole machine used between two machineCpu() readings, over `seconds`. */
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
