// The runner's view of the two kinds of child: the peer server (pinned to
// SERVER_CORE) and load generators (pinned to LOADGEN_CORE).
import { fileURLToPath } from 'node:url';
import { startChild } from './children.mjs';

export const SERVER_CORE = 0;
export const LOADGEN_CORE = 1;

const here = (p) => fileURLToPath(new URL(`../${p}`, import.meta.url));

/**
 * Starts `peer`'s server in its own process and waits until it listens.
 * `cpuProf` is a directory for a V8 CPU profile of the server's whole life
 * (written when it stops); scenarios can instead profile just their measured
 * window with the server's `profileStart`/`profileStop` commands.
 */
export async function startServer(peer, { options = {}, cpuProf } = {}) {
  const nodeArgs = ['--expose-gc', ...(process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean)];
  if (cpuProf) nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${cpuProf}`);
  const child = startChild(here('server-host.mjs'), {
    core: SERVER_CORE,
    nodeArgs,
    args: [peer, JSON.stringify(options)],
    name: `${peer} server`,
  });
  const info = await child.ready();
  return Object.assign(child, { url: info.url, label: info.label, version: info.version });
}

/** Starts a load generator aimed at `server` (`cpuProf`: a directory for its CPU profile). */
export async function startLoadgen(peer, server, { name = 'loadgen', room, cpuProf } = {}) {
  const nodeArgs = cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${cpuProf}`] : [];
  const child = startChild(here('loadgen.mjs'), { core: LOADGEN_CORE, name: `${peer} ${name}`, nodeArgs });
  await child.ready();
  await child.request('target', { peer, url: server.url, room });
  return child;
}

/** Starts an ingest load generator (bench/ingest-loadgen.mjs: many senders with windows of unacked sends) aimed at `server`. */
export async function startIngestLoadgen(peer, server, { name = 'ingest loadgen', cpuProf } = {}) {
  const nodeArgs = cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${cpuProf}`] : [];
  const child = startChild(here('ingest-loadgen.mjs'), { core: LOADGEN_CORE, name: `${peer} ${name}`, nodeArgs });
  await child.ready();
  await child.request('target', { peer, url: server.url });
  return child;
}

/** Stops children, ignoring ones already gone. */
export async function stopAll(...children) {
  await Promise.all(children.filter(Boolean).map((c) => c.stop().catch(() => {})));
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
