/**
 * Keeps the message list at the bottom while the visitor is there, holds
 * their place when they have scrolled up (reporting that new messages
 * arrived below), and keeps what they were reading in view when older
 * messages are paged in above.
 */
import { Delivery, type Conversation } from '../model/conversation.js';
import { STICK_THRESHOLD_PX } from './constants.js';

const Mode = { None: 0, Bottom: 1, Keep: 2 } as const;
type Mode = (typeof Mode)[keyof typeof Mode];

export class StickyScroll {
  /** Whether the list is scrolled to (near) its end. */
  atBottom = true;
  private snap = { conv: '', first: '', last: '', n: 0 };
  private mode: Mode = Mode.None;
  private kept = { height: 0, top: 0 };

  constructor(private readonly log: () => HTMLElement | null | undefined) {}

  /**
   * Call before rendering `c`; `reset` jumps to the bottom (the panel just opened).
   * Returns true when messages arrived below while the visitor reads above.
   */
  before(c: Conversation | undefined, reset: boolean): boolean {
    const items = c?.items ?? [];
    const conv = c?.key ?? '';
    const first = items[0]?.key ?? '';
    const lastItem = items[items.length - 1];
    const last = lastItem?.key ?? '';
    const s = this.snap;
    let below = false;
    if (reset || conv !== s.conv) {
      this.mode = Mode.Bottom;
      this.atBottom = true;
    } else if (items.length !== s.n || first !== s.first || last !== s.last) {
      const log = this.log();
      if (last === s.last && first !== s.first && log) {
        this.mode = Mode.Keep;
        this.kept = { height: log.scrollHeight, top: log.scrollTop };
      } else if (this.atBottom || (last !== s.last && lastItem?.own && lastItem.delivery === Delivery.Sending)) {
        this.mode = Mode.Bottom;
      } else {
        below = true;
      }
    }
    this.snap = { conv, first, last, n: items.length };
    return below;
  }

  /** Call after rendering: applies the scroll decided in {@link before}. */
  after(): void {
    const log = this.log();
    if (!log || this.mode === Mode.None) return;
    log.scrollTop = this.mode === Mode.Bottom ? log.scrollHeight : log.scrollHeight - this.kept.height + this.kept.top;
    this.mode = Mode.None;
  }

  /** Call on the list's `scroll` events; returns {@link atBottom}. */
  scrolled(): boolean {
    const log = this.log();
    if (log) this.atBottom = log.scrollHeight - log.scrollTop - log.clientHeight <= STICK_THRESHOLD_PX;
    return this.atBottom;
  }

  /** Scrolls to the newest message now. */
  toBottom(): void {
    const log = this.log();
    if (log) log.scrollTop = log.scrollHeight;
    this.atBottom = true;
  }
}
