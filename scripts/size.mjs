#!/usr/bin/env node
// Prints the size of each browser bundle (minified, gzip, brotli) and fails
// when one is over its budget. `npm run size` builds first.
//
// Budgets are in bytes of the gzip-compressed minified file (1 kB = 1000 bytes).
import { readFileSync, existsSync } from 'node:fs';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';

/** What each bundle may weigh, gzipped. */
export const BUDGETS = [
  { name: '@parley/client (with mitt and protocol)', file: 'packages/client/dist/parley-client.min.js', gzip: 4000 },
  { name: 'widget.js script-tag bundle (Lit, client, UI, locales)', file: 'packages/widget/dist/widget.js', gzip: 20000 },
];

const kb = (n) => `${(n / 1000).toFixed(2)} kB`;
let failed = false;
const rows = [];
for (const b of BUDGETS) {
  if (!existsSync(b.file)) {
    console.error(`size: ${b.file} is missing; run npm run build first.`);
    process.exit(1);
  }
  const src = readFileSync(b.file);
  const gz = gzipSync(src, { level: 9 }).length;
  const br = brotliCompressSync(src, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  const over = gz > b.gzip;
  failed ||= over;
  rows.push({ bundle: b.name, min: kb(src.length), gzip: kb(gz), brotli: kb(br), budget: kb(b.gzip), ok: over ? 'OVER' : 'ok' });
}
console.table(rows);
if (failed) {
  console.error('size: a bundle is over its gzip budget.');
  process.exit(1);
}
