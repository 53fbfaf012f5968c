/**
 * The shape of `src/`: a few entry files at the root, concept folders below
 * it, each with a README that says what lives there and which folders it may
 * import ("May import: …"), and no import cycle between files (type-only
 * imports count).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { posix } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));
/** Most entry files the root may hold. */
const MAX_ROOT_FILES = 8;

/** Every `.ts` file under src/, as a path relative to it. */
function sources(dir = ''): string[] {
  return readdirSync(SRC + dir).flatMap((name) => {
    const path = dir ? `${dir}/${name}` : name;
    if (statSync(SRC + path).isDirectory()) return sources(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/** The files each file imports (relative imports, `import type` and `export … from` included). */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sources()) {
    const text = readFileSync(SRC + file, 'utf8');
    const deps = [...text.matchAll(/(?:\bfrom|\bimport\(?)\s*'(\.{1,2}\/[^']+)\.js'/g)].map((m) => posix.normalize(posix.join(posix.dirname(file), m[1]!)) + '.ts');
    graph.set(file, deps);
  }
  return graph;
}

const folderOf = (file: string): string => (file.includes('/') ? file.slice(0, file.indexOf('/')) : '');

/** Each folder's allowed imports, read from its README. */
function allowed(folder: string): Set<string> {
  const readme = readFileSync(`${SRC}${folder}/README.md`, 'utf8');
  const line = /^May import: (.*)\.$/m.exec(readme);
  assert.ok(line, `${folder}/README.md has a "May import: …." line`);
  return new Set(line[1] === 'none' ? [] : line[1]!.split(/,\s*/));
}

/** The import cycles of a graph (strongly connected components with more than one file, or a self-import). */
function cycles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let next = 0;
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || graph.get(v)!.includes(v)) found.push(component.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

describe('relay source layout', () => {
  const graph = importGraph();
  const folders = [...new Set([...graph.keys()].map(folderOf).filter(Boolean))];

  test(`keeps at most ${MAX_ROOT_FILES} entry files at the root of src/`, () => {
    const root = [...graph.keys()].filter((f) => !f.includes('/'));
    assert.ok(root.length <= MAX_ROOT_FILES, `root files: ${root.join(', ')}`);
    assert.ok(folders.length >= 8, `concept folders: ${folders.join(', ')}`);
  });

  test('resolves every relative import to a source file', () => {
    for (const [file, deps] of graph) for (const d of deps) assert.ok(graph.has(d), `${file} imports ${d}, which does not exist`);
  });

  test('has no import cycle between files', () => {
    assert.deepEqual(cycles(graph), []);
  });

  test('finds a cycle when there is one (the check itself can fail)', () => {
    const g = new Map([['a.ts', ['b.ts']], ['b.ts', ['c.ts']], ['c.ts', ['a.ts']], ['d.ts', ['a.ts']]]);
    assert.deepEqual(cycles(g), [['a.ts', 'b.ts', 'c.ts']]);
  });

  test("imports across folders only what each folder's README allows, and never the root's entry files", () => {
    const wrong: string[] = [];
    for (const folder of folders) {
      const may = allowed(folder);
      for (const known of may) assert.ok(folders.includes(known), `${folder}/README.md names an unknown folder "${known}"`);
      for (const [file, deps] of graph) {
        if (folderOf(file) !== folder) continue;
        for (const d of deps) {
          const to = folderOf(d);
          if (to === folder) continue;
          if (to === '' || !may.has(to)) wrong.push(`${file} -> ${d}`);
        }
      }
    }
    assert.deepEqual(wrong, []);
  });

  test('keeps Redis out of handlers and connections: they see only the layer interfaces', () => {
    for (const folder of ['handlers', 'connection', 'http']) assert.ok(!allowed(folder).has('cluster'), `${folder} may not import cluster/`);
  });
});
