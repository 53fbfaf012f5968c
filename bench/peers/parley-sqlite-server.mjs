// Parley on its durable store: the same relay and limits as parley-server.mjs,
// with history in a SQLite file (in a temporary folder, removed at close), so
// the tables show what durability costs beside the memory store.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { start as startMemory, version } from './parley-server.mjs';

export const label = 'Parley (SQLite)';
export { version };

export async function start(options) {
  const dir = mkdtempSync(join(tmpdir(), 'parley-bench-sqlite-'));
  const server = await startMemory({ ...options, store: `sqlite:${join(dir, 'parley.db')}` });
  return {
    ...server,
    async close() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
