// Compares two V8 heap snapshots (before and after N idle connections) and
// says what one connection keeps alive: objects by constructor, count and
// self size per connection.
//
//   node bench/heap.mjs <before.heapsnapshot> <after.heapsnapshot> <connections>
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Self size and count per "type:name" in one snapshot. */
export function aggregate(file) {
  const snap = JSON.parse(readFileSync(file, 'utf8'));
  const meta = snap.snapshot.meta;
  const fields = meta.node_fields;
  const types = meta.node_types[0];
  const F = fields.length;
  const iType = fields.indexOf('type');
  const iName = fields.indexOf('name');
  const iSize = fields.indexOf('self_size');
  const out = new Map();
  const nodes = snap.nodes;
  for (let i = 0; i < nodes.length; i += F) {
    const type = types[nodes[i + iType]];
    let name = type === 'object' || type === 'closure' || type === 'native' || type === 'hidden' || type === 'array' ? snap.strings[nodes[i + iName]] : '';
    if (type === 'array' || type === 'hidden') name = name.length > 40 ? `${name.slice(0, 40)}…` : name;
    const key = `${type}:${name}`;
    const e = out.get(key) || { count: 0, size: 0 };
    e.count++;
    e.size += nodes[i + iSize];
    out.set(key, e);
  }
  return out;
}

/** What grew between two snapshots, per connection, largest first. */
export function diff(beforeFile, afterFile, connections, top = 30) {
  const a = aggregate(beforeFile);
  const b = aggregate(afterFile);
  const rows = [];
  let total = 0;
  for (const [key, e] of b) {
    const p = a.get(key) || { count: 0, size: 0 };
    const dSize = e.size - p.size;
    const dCount = e.count - p.count;
    total += dSize;
    if (dSize > 0) rows.push({ key, perConnCount: dCount / connections, perConnBytes: dSize / connections });
  }
  rows.sort((x, y) => y.perConnBytes - x.perConnBytes);
  return { perConnBytes: total / connections, rows: rows.slice(0, top) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [before, after, n] = process.argv.slice(2);
  if (!before || !after || !n) {
    console.error('usage: node bench/heap.mjs <before.heapsnapshot> <after.heapsnapshot> <connections>');
    process.exit(2);
  }
  const d = diff(before, after, Number(n));
  console.log(`heap growth per connection: ${d.perConnBytes.toFixed(0)} bytes (self sizes)`);
  for (const r of d.rows) console.log(`${r.perConnBytes.toFixed(0).padStart(7)} B  ${r.perConnCount.toFixed(2).padStart(6)} ×  ${r.key}`);
}
