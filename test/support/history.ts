/**
 * Reads a whole room history (or the caller's private inbox) through the
 * client SDK's `history()`, page by page: the relay's own record, as a
 * client may see it.
 */
import type { ParleyClient } from '@parley/client';
import type { DirectMessage, RoomMessage } from '@parley/protocol';

/** Every retained message of `room` (or of the client's inbox when `room` is null), oldest first. */
export async function readAll<T extends RoomMessage | DirectMessage>(client: ParleyClient, room: string | null): Promise<T[]> {
  const out: T[] = [];
  let before: number | undefined;
  for (let i = 0; i < 100_000; i++) {
    const page = await client.history(room, before === undefined ? { limit: 200 } : { before, limit: 200 });
    const messages = page.messages as T[];
    out.push(...messages);
    if (!page.more || messages.length === 0) break;
    before = messages.at(-1)!.seq;
  }
  return out.reverse();
}
