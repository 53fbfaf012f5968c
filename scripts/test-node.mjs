#!/usr/bin/env node
// Runs every Node test file (packages/*/test/**/*.test.ts and test/**/*.test.ts, except browser/ folders)
// with node's own test runner, TypeScript loaded through tsx.
// Extra arguments are passed to `node --test` (e.g. --test-name-pattern=resume).
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (name !== 'browser' && name !== 'node_modules') walk(path, out);
    } else if (name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

const files = [];
for (const pkg of readdirSync('packages')) {
  try {
    walk(join('packages', pkg, 'test'), files);
  } catch {
    // a package without tests
  }
}
try {
  walk('test', files);
} catch {
  // no cross-package suites
}
const only = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const flags = process.argv.slice(2).filter((a) => a.startsWith('-'));
const chosen = only.length ? files.filter((f) => only.some((o) => f.includes(o))) : files;
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...flags, ...chosen.sort()], {
  stdio: 'inherit',
});
process.exit(r.status ?? 1);
