// Reads a V8 CPU profile (`node --cpu-prof`) and says where the time went:
// self time per function, and total (inclusive) time per function of the
// code under study, so a report can name file, function and share.
//
//   node bench/profile.mjs <file.cpuprofile> [focus-substring]
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Short, stable name for a profile node's source location. */
function where(cf) {
  if (!cf.url) return '';
  const url = cf.url.replace(/^file:\/\//, '');
  const m = url.match(/(packages\/[^/]+\/.*|node_modules\/.*|node:.*)$/);
  return `${m ? m[1] : url}:${cf.lineNumber + 1}`;
}

/**
 * Summarizes a profile. `focus` selects the files whose functions get
 * inclusive times (e.g. 'packages/relay/').
 */
export function summarize(file, { focus = 'packages/relay/', top = 20 } = {}) {
  const prof = JSON.parse(readFileSync(file, 'utf8'));
  const nodes = new Map(prof.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of prof.nodes) for (const c of n.children || []) parent.set(c, n.id);
  // Self time per node from samples and their time deltas (µs).
  const selfUs = new Map();
  let totalUs = 0;
  for (let i = 0; i < prof.samples.length; i++) {
    const dt = prof.timeDeltas[i + 1] ?? 0;
    selfUs.set(prof.samples[i], (selfUs.get(prof.samples[i]) || 0) + dt);
    totalUs += dt;
  }
  const key = (n) => `${n.callFrame.functionName || '(anonymous)'} ${where(n.callFrame)}`;
  const self = new Map();
  const inclusive = new Map();
  for (const [id, us] of selfUs) {
    const n = nodes.get(id);
    self.set(key(n), (self.get(key(n)) || 0) + us);
    // Walk up once per sample bucket; count each function once per stack.
    const seen = new Set();
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const k = key(nodes.get(cur));
      if (seen.has(k)) continue;
      seen.add(k);
      inclusive.set(k, (inclusive.get(k) || 0) + us);
    }
  }
  const idleUs = self.get('(idle) ') || 0;
  const busyUs = totalUs - idleUs;
  const rows = (map, filter) => [...map]
    .filter(([k]) => filter(k))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([k, us]) => ({ fn: k, ms: us / 1000, pctBusy: (100 * us) / busyUs }));
  return {
    file,
    totalMs: totalUs / 1000,
    busyMs: busyUs / 1000,
    gcPct: (100 * (self.get('(garbage collector) ') || 0)) / busyUs,
    programPct: (100 * (self.get('(program) ') || 0)) / busyUs,
    self: rows(self, (k) => !k.startsWith('(idle)')),
    focus: rows(inclusive, (k) => k.includes(focus)),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [file, focus] = process.argv.slice(2);
  if (!file) {
    console.error('usage: node bench/profile.mjs <file.cpuprofile> [focus-substring]');
    process.exit(2);
  }
  const s = summarize(file, { focus });
  console.log(`busy ${s.busyMs.toFixed(0)} ms of ${s.totalMs.toFixed(0)} ms; GC ${s.gcPct.toFixed(1)}%, (program) ${s.programPct.toFixed(1)}%`);
  console.log('\nself time (share of busy time):');
  for (const r of s.self) console.log(`  ${r.pctBusy.toFixed(1).padStart(5)}%  ${r.fn}`);
  console.log(`\ninclusive time in ${focus || 'packages/relay/'}:`);
  for (const r of s.focus) console.log(`  ${r.pctBusy.toFixed(1).padStart(5)}%  ${r.fn}`);
}
