import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as protocol from '@parley/protocol';
import { CloseCode, ErrorCode } from '@parley/protocol';

const doc = readFileSync(new URL('../../../docs/protocol.md', import.meta.url), 'utf8');

/** The rows of the markdown table that follows `heading`, as arrays of cells. */
function table(heading: string): string[][] {
  const start = doc.indexOf(heading);
  assert.ok(start >= 0, `docs/protocol.md has no "${heading}" section`);
  const rows: string[][] = [];
  let inTable = false;
  for (const line of doc.slice(start).split('\n').slice(1)) {
    if (line.startsWith('|')) {
      inTable = true;
      rows.push(line.split('|').slice(1, -1).map((c) => c.trim().replace(/^`|`$/g, '')));
    } else if (inTable) break;
  }
  return rows.slice(2);
}

test('documents every error code, and no other', () => {
  const documented = table('## Error codes').map((r) => r[0]);
  assert.deepEqual([...documented].sort(), Object.values(ErrorCode).sort());
});

test('documents every close code with its name and retry rule, and no other', () => {
  const rows = table('## Close codes');
  const named = Object.entries(CloseCode).filter(([name]) => !name.includes('Range'));
  assert.deepEqual(
    rows.map((r) => `${r[0]} ${r[1]} ${r[2]}`).sort(),
    named.map(([name, code]) => `${code} ${name} ${protocol.shouldReconnect(code) ? 'yes' : 'no'}`).sort(),
  );
});

test('documents every limit and default with its value, and no other', () => {
  const rows = table('## Limits');
  const constants = Object.entries(protocol).filter(([name, v]) => /^[A-Z][A-Z0-9_]+$/.test(name) && (typeof v === 'number' || typeof v === 'string'));
  assert.deepEqual(
    rows.map((r) => `${r[0]}=${r[1]}`).sort(),
    constants.map(([name, v]) => `${name}=${v}`).sort(),
  );
});

test('documents a section with an example for every envelope type', () => {
  for (const type of [...Object.keys(protocol.CLIENT_SHAPES), ...Object.keys(protocol.SERVER_SHAPES)]) {
    assert.ok(doc.includes(`### \`${type}\``), `no section for ${type}`);
    assert.ok(doc.includes(`{"type":"${type}"`), `no example for ${type}`);
  }
});
