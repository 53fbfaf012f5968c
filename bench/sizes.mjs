// Bundle sizes: Parley's client and widget bundles beside the client
// libraries of comparable projects, each bundled with the project's own
// rollup settings (`plugins` from /rollup.config.mjs: node-resolve for
// browsers, terser, ES2020) and gzipped at level 9 like scripts/size.mjs.
//
//   node bench/sizes.mjs [--build]   (--build runs `tsc -b` and rollup at the root first)
import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { rollup } from 'rollup';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);

/** Parley's budgets in gzip bytes, as in scripts/size.mjs (1 kB = 1000 bytes). */
export const PARLEY_BUNDLES = [
  { name: '@parley/client', file: 'packages/client/dist/parley-client.min.js', budget: 4000 },
  { name: 'widget.js (script tag)', file: 'packages/widget/dist/widget.js', budget: 20000 },
];

/** What each peer library's users import: the entry a bundle keeps. */
export const PEER_ENTRIES = [
  { name: 'socket.io-client', pkg: 'socket.io-client', code: "export { io } from 'socket.io-client';" },
  { name: 'centrifuge', pkg: 'centrifuge', code: "export { Centrifuge } from 'centrifuge';" },
  { name: 'phoenix (Socket)', pkg: 'phoenix', code: "export { Socket } from 'phoenix';" },
  { name: 'partysocket', pkg: 'partysocket', code: "export { PartySocket } from 'partysocket';" },
];

const measure = (buf) => ({
  min: buf.length,
  gzip: gzipSync(buf, { level: 9 }).length,
  brotli: brotliCompressSync(buf, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
});

function version(pkg) {
  try {
    return JSON.parse(readFileSync(`${root}node_modules/${pkg}/package.json`, 'utf8')).version;
  } catch {
    return require(`${pkg}/package.json`).version;
  }
}

/** Bundles one virtual entry module with the project's rollup plugins. */
async function bundle(code, plugins) {
  const id = `${root}bench/.size-entry.js`;
  const entry = {
    name: 'bench-size-entry',
    resolveId: (source) => (source === id ? id : null),
    load: (file) => (file === id ? code : null),
  };
  const build = await rollup({ input: id, plugins: [entry, ...plugins()], onwarn: () => {} });
  const { output } = await build.generate({ format: 'es' });
  await build.close();
  return Buffer.from(output[0].code);
}

/** Runs the root build (tsc -b, then rollup) so Parley's bundles are fresh. */
export function buildParley() {
  for (const [cmd, args] of [['npx', ['tsc', '-b']], ['npx', ['rollup', '-c', 'rollup.config.mjs', '--silent']]]) {
    const r = spawnSync(cmd, args, { cwd: root, stdio: 'pipe', encoding: 'utf8', timeout: 180_000 });
    if (r.status !== 0) return { ok: false, error: `${cmd} ${args.join(' ')} failed: ${(r.stderr || r.stdout || '').trim().split('\n').slice(0, 5).join(' / ')}` };
  }
  return { ok: true };
}

/**
 * Measures every bundle. Rows: {name, version, min, gzip, brotli, budget?, ok?, note?}.
 */
export async function measureSizes({ build = false } = {}) {
  const notes = [];
  if (build) {
    const b = buildParley();
    if (!b.ok) notes.push(`build failed, sizes are of the last build in dist/: ${b.error}`);
  }
  const { plugins } = await import(`${root}rollup.config.mjs`);
  const rows = [];
  for (const b of PARLEY_BUNDLES) {
    const file = `${root}${b.file}`;
    if (!existsSync(file)) {
      rows.push({ name: b.name, version: version(b.file.split('/')[1] ? `@parley/${b.file.split('/')[1]}` : ''), budget: b.budget, note: 'missing (build first)' });
      continue;
    }
    const m = measure(readFileSync(file));
    rows.push({ name: b.name, version: version(`@parley/${b.file.split('/')[1]}`), ...m, budget: b.budget, ok: m.gzip <= b.budget, parley: true });
  }
  for (const p of PEER_ENTRIES) {
    try {
      rows.push({ name: p.name, version: version(p.pkg), ...measure(await bundle(p.code, plugins)) });
    } catch (e) {
      rows.push({ name: p.name, version: version(p.pkg), note: `bundle failed: ${e.message.split('\n')[0]}` });
    }
  }
  return { rows, notes };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { rows, notes } = await measureSizes({ build: process.argv.includes('--build') });
  const kb = (n) => (n === undefined ? '—' : `${(n / 1000).toFixed(2)} kB`);
  console.table(rows.map((r) => ({ bundle: r.name, version: r.version, min: kb(r.min), gzip: kb(r.gzip), brotli: kb(r.brotli), budget: r.budget ? kb(r.budget) : '', ok: r.ok === undefined ? '' : r.ok ? 'ok' : 'OVER', note: r.note || '' })));
  for (const n of notes) console.log(n);
}
