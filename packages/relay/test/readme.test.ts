import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { OPTION_SPECS, createRelay, envOf, flagOf } from '../src/index.js';
import { defaultText } from '../src/config/options.js';

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

/** Rows of the first table under a `## heading`, as arrays of trimmed cells. */
function table(heading: string): string[][] {
  const section = README.split(/^## /m).find((s) => s.startsWith(heading + '\n'));
  assert.ok(section, `README has a "## ${heading}" section`);
  return section
    .split('\n')
    .filter((l) => l.startsWith('| '))
    .slice(2)
    .map((l) => l.slice(1, -1).split(' | ').map((c) => c.trim()));
}

describe('README', () => {
  test('lists every option with its flag, variable and default, and nothing else', () => {
    const rows = table('Options');
    const byKey = new Map(rows.map((r) => [r[0]!.replace(/`/g, ''), r]));
    for (const spec of OPTION_SPECS) {
      const row = byKey.get(spec.key);
      assert.ok(row, `README lists ${spec.key}`);
      assert.equal(row[1], '`--' + flagOf(spec.key) + '`', `flag of ${spec.key}`);
      assert.equal(row[2], '`' + envOf(spec.key) + '`', `variable of ${spec.key}`);
      assert.equal(row[3], defaultText(spec), `default of ${spec.key}`);
      assert.ok(row[4]!.length > 0, `meaning of ${spec.key}`);
    }
    assert.deepEqual([...byKey.keys()].sort(), OPTION_SPECS.map((s) => s.key).sort());
  });

  test('lists exactly the metrics the relay exports', async () => {
    const relay = await createRelay({ port: 0, host: '127.0.0.1', log: false });
    try {
      const text = await (await fetch(relay.url + '/metrics')).text();
      const exported = [...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]).sort();
      const documented = table('Metrics').map((r) => r[0]!.replace(/`/g, '')).sort();
      assert.deepEqual(documented, exported);
    } finally {
      await relay.close();
    }
  });
});
