// Known advisories of our runtime dependencies: `npm audit` cannot reach the
// advisory service from this machine (the registry mirror answers 405), so
// this test reads the versions actually installed — as each package resolves
// them — and fails when one is below the first version with the published
// advisories fixed. The table is kept by hand; docs/security.md says how.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** [package, first safe version per major, advisories it closes]. */
export const FLOORS: Array<{ name: string; floor: Record<number, string>; advisories: string }> = [
  {
    name: 'ws',
    // 8.23.0: ping flood with reads stopped (pongs buffered until OOM), fixed by maxPendingAutoPongs;
    // 8.21.1: CVE-2026-62389 (default maxFragments); 8.21.0: GHSA-96hv-2xvq-fx4p / CVE-2026-48779 (tiny fragments);
    // 8.20.1: GHSA-58qx-3vcg-4xpx / CVE-2026-45736 (close() reason memory disclosure);
    // 8.17.1: GHSA-3h5v-q93c-6h6q / CVE-2024-37890 (many headers); 7.4.6: GHSA-6fc8-4gx4-v693 / CVE-2021-32640 (ReDoS)
    floor: { 8: '8.23.0', 7: '7.5.11', 6: '6.2.4', 5: '5.2.5' },
    advisories: 'GHSA-3h5v-q93c-6h6q, GHSA-58qx-3vcg-4xpx, GHSA-96hv-2xvq-fx4p, CVE-2026-62389, ws 8.23.0 ping-flood fix',
  },
  // GHSA-hhhv-q57g-882q / CVE-2024-28176 (JWE decompression, fixed 4.15.5 / 2.0.7, v5+ unaffected); GHSA-jv3g-j58f-9mq9 (PBES2, 4.9.2)
  { name: 'jose', floor: { 6: '6.0.0', 5: '5.0.0', 4: '4.15.5' }, advisories: 'GHSA-hhhv-q57g-882q, GHSA-jv3g-j58f-9mq9' },
  // pino >= 9.12 dropped fast-redact (GHSA-ffrw-9mx8-89p8, disputed) for @pinojs/redact
  { name: 'pino', floor: { 10: '10.0.0', 9: '9.12.0' }, advisories: 'GHSA-ffrw-9mx8-89p8 (via fast-redact)' },
  { name: 'ioredis', floor: { 5: '5.0.0' }, advisories: 'none published' },
  { name: 'prom-client', floor: { 15: '15.0.0' }, advisories: 'none published' },
  { name: 'mitt', floor: { 3: '3.0.0' }, advisories: 'none published' },
  { name: 'lit', floor: { 3: '3.0.0' }, advisories: 'none published' },
];

const parse = (v: string): number[] => v.split(/[.+-]/).slice(0, 3).map(Number);
const below = (v: string, floor: string): boolean => {
  const a = parse(v);
  const b = parse(floor);
  for (let i = 0; i < 3; i++) if (a[i]! !== b[i]!) return a[i]! < b[i]!;
  return false;
};
/** Whether `version` is safe: at or above its major's floor (a major without a floor is older than every fix: unsafe). */
export function safe(name: string, version: string): boolean {
  const rule = FLOORS.find((f) => f.name === name)!;
  const floor = rule.floor[parse(version)[0]!];
  if (floor === undefined) return parse(version)[0]! > Math.max(...Object.keys(rule.floor).map(Number));
  return !below(version, floor);
}

/** The version of `name` that the package at `pkg` resolves (its entry file, then up to the package's own package.json). */
function versionFrom(pkg: string, name: string): string {
  const require = createRequire(join(ROOT, pkg, 'package.json'));
  let dir = dirname(require.resolve(name));
  for (;;) {
    try {
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version: string };
      if (manifest.name === name) return manifest.version;
    } catch {
      // no package.json here
    }
    const up = dirname(dir);
    if (up === dir) throw new Error(`cannot find the package.json of ${name} from ${pkg}`);
    dir = up;
  }
}

/** Every installed copy of `name` under node_modules (nested ones too). */
function copies(name: string): Array<{ path: string; version: string }> {
  const out: Array<{ path: string; version: string }> = [];
  const walk = (dir: string, depth: number, scope = false): void => {
    if (depth > 6) return;
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(dir, e);
      if (e.startsWith('@')) walk(p, depth, true);
      else if (e === name && !scope) {
        try {
          out.push({ path: p.slice(ROOT.length), version: (JSON.parse(readFileSync(join(p, 'package.json'), 'utf8')) as { version: string }).version });
        } catch {
          // not a package
        }
      }
      const nested = join(p, 'node_modules');
      try {
        if (statSync(nested).isDirectory()) walk(nested, depth + 1);
      } catch {
        // none
      }
    }
  };
  walk(join(ROOT, 'node_modules'), 0);
  return out;
}

describe('dependencies with published advisories', () => {
  test('the floors refuse the versions the advisories name', () => {
    for (const [name, version] of [['ws', '8.17.0'], ['ws', '8.20.0'], ['ws', '8.21.0'], ['ws', '8.22.9'], ['ws', '7.5.9'], ['ws', '4.1.0'], ['jose', '4.15.4']] as const) {
      assert.equal(safe(name, version), false, `${name}@${version}`);
    }
    assert.equal(safe('ws', '8.23.0'), true);
    assert.equal(safe('ws', '9.0.0'), true);
  });

  test('the relay, the client and the widget resolve dependency versions with every published advisory fixed', () => {
    const found: string[] = [];
    const bad: string[] = [];
    for (const [pkg, names] of [
      ['packages/relay', ['ws', 'jose', 'pino', 'ioredis', 'prom-client']],
      ['packages/client', ['mitt', 'ws']],
      ['packages/widget', ['lit']],
      ['.', ['ws']],
    ] as const) {
      for (const name of names) {
        const version = versionFrom(pkg, name);
        found.push(`${pkg} → ${name}@${version}`);
        if (!safe(name, version)) bad.push(`${pkg} resolves ${name}@${version} (${FLOORS.find((f) => f.name === name)!.advisories})`);
      }
    }
    console.log(`dependencies: ${found.join(', ')}`);
    assert.deepEqual(bad, []);
  });

  test('no installed copy of ws is older than the fixes of its major (development tools included)', () => {
    const all = copies('ws');
    console.log(`dependencies: ws copies: ${all.map((c) => `${c.path}@${c.version}`).join(', ')}`);
    // shipped code must be on the newest floor; copies used only by development tools (the benchmark's
    // socket.io, the test runner's dev server) must at least have the fixes that exist for their major
    const tooOld = all.filter((c) => {
      const major = parse(c.version)[0]!;
      if (major === 8) return below(c.version, '8.21.1');
      return !safe('ws', c.version);
    });
    assert.deepEqual(tooOld, []);
  });
});
