/**
 * Waiting helpers for tests: poll a condition, or wait for one event.
 */
import type { ClientEvents, ParleyClient } from '../src/index.js';

/** Polling's pause (not exported: a test waits for a condition or an event, never for time to pass). */
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Resolves when `check()` is truthy (polled every 10 ms); rejects after `ms` with `what`. */
export async function until<T>(check: () => T, what: string, ms = 5000): Promise<NonNullable<T>> {
  const end = Date.now() + ms;
  for (;;) {
    const v = check();
    if (v) return v as NonNullable<T>;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(10);
  }
}

/** Resolves with the first `type` event that passes `match`; rejects after `ms`. */
export function next<K extends keyof ClientEvents>(
  client: ParleyClient,
  type: K,
  match: (e: ClientEvents[K]) => boolean = () => true,
  ms = 5000,
): Promise<ClientEvents[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off(type, handler);
      reject(new Error(`timed out after ${ms} ms waiting for a "${String(type)}" event`));
    }, ms);
    const handler = (e: ClientEvents[K]) => {
      if (!match(e)) return;
      clearTimeout(timer);
      client.off(type, handler);
      resolve(e);
    };
    client.on(type, handler);
  });
}


/** A Map-backed `Storage`, like sessionStorage, for Node. */
export function memoryStorage() {
  const map = new Map<string, string>();
  return {
    map,
    getItem: (k: string) => map.get(k) ?? null,
    setItem: (k: string, v: string) => void map.set(k, v),
    removeItem: (k: string) => void map.delete(k),
  };
}
