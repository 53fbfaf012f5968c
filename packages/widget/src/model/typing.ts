import { TYPING_EXPIRE_MS } from '../chat-widget/constants.js';

/**
 * Who is typing in a room. An entry goes away on a stop, on a message from
 * that person, or {@link TYPING_EXPIRE_MS} after its last start (a stop can
 * be lost when someone's connection drops).
 */
export class TypingTracker {
  private readonly who = new Map<string, { name: string; timer: ReturnType<typeof setTimeout> }>();

  constructor(private readonly changed: () => void) {}

  /** Records that `from` started (`on`) or stopped typing. */
  set(from: string, name: string, on: boolean): void {
    const had = this.who.get(from);
    if (had) clearTimeout(had.timer);
    if (on) {
      this.who.set(from, { name, timer: setTimeout(() => this.set(from, name, false), TYPING_EXPIRE_MS) });
    } else {
      this.who.delete(from);
    }
    if (on || had) this.changed();
  }

  /** Display names of everyone typing, in the order they started. */
  names(): string[] {
    return [...this.who.values()].map((w) => w.name);
  }

  /** Forgets everyone (on disconnect). */
  clear(): void {
    for (const w of this.who.values()) clearTimeout(w.timer);
    this.who.clear();
  }
}
