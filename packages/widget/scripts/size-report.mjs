#!/usr/bin/env node
// Where the bytes of widget.js go: for each source module, what the gzipped
// bundle would lose without it (its marginal gzip cost), from the source map.
// Run after a build, from the repository root:
//
//   node packages/widget/scripts/size-report.mjs
//
// `npm run size` is the budget check; this only tells where to look.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { TraceMap, eachMapping } from '@jridgewell/trace-mapping';
const code = readFileSync('packages/widget/dist/widget.js', 'utf8');
const map = new TraceMap(readFileSync('packages/widget/dist/widget.js.map', 'utf8'));
const lines = code.split('\n');
const lineStart = []; let off = 0; for (const l of lines) { lineStart.push(off); off += l.length + 1; }
const segs = []; eachMapping(map, (m) => segs.push(m));
const ranges = {};
for (let i = 0; i < segs.length; i++) {
  const s = segs[i], n = segs[i + 1];
  const start = lineStart[s.generatedLine - 1] + s.generatedColumn;
  const end = n ? lineStart[n.generatedLine - 1] + n.generatedColumn : code.length;
  const k = (s.source || '?').replace(/.*node_modules\//, 'nm/').replace(/.*packages\//, '').replace(/^\.\.\/\.\.\//, '');
  (ranges[k] ||= []).push([start, end]);
}
const total = gzipSync(code, { level: 9 }).length; // the same measure as scripts/size.mjs
const rows = [];
for (const [k, rs] of Object.entries(ranges)) {
  const mask = new Uint8Array(code.length);
  for (const [a, b] of rs) mask.fill(1, a, b);
  let out = ''; for (let i = 0; i < code.length; i++) if (!mask[i]) out += code[i];
  rows.push([k, total - gzipSync(out, { level: 9 }).length, rs.reduce((s, [a, b]) => s + b - a, 0)]);
}
rows.sort((a, b) => b[1] - a[1]);
let sum = 0;
for (const r of rows) { sum += r[1]; console.log(String(r[1]).padStart(6), String(r[2]).padStart(7), r[0]); }
console.log(`widget.js: ${total} bytes gzipped; marginal costs add up to ${sum} (the rest is what modules share)`);
