/**
 * Keeps the message list at the bottom while the visitor is there, holds
 * their place when they have scrolled up (reporting that new messages
 * arrived below), and keeps what they were reading in view when older
 * messages are paged in above.
 */
import { Delivery, type Conversation } from '../model/conversation.js';
import { STICK_THRESHOLD_PX } from './constants.js';

export class StickyScroll {
  /** Whether the list is scrolled to (near) its end. */
  atBottom = true;
  /** The conversation and its first and last item keys at the last render. */
  private seen: unknown[] = [];
  /** After the render: scroll to the bottom (0), keep this distance from the bottom (> 0), or leave it (undefined). */
  private fromBottom: number | undefined;

  constructor(private readonly log: () => HTMLElement | null | undefined) {}

  /**
   * Call before rendering `c`; `reset` jumps to the bottom (the panel just opened).
   * Returns true when messages arrived below while the visitor reads above.
   */
  before(c: Conversation | undefined, reset: boolean): boolean {
    const items = c?.items ?? [];
    const last = items[items.length - 1];
    const now = [c, items[0], last, items.length];
    const [conv, first, lastBefore, n] = this.seen;
    this.seen = now;
    const log = this.log();
    if (reset || conv !== c) {
      this.atBottom = true;
      this.fromBottom = 0;
    } else if (n === items.length && first === items[0] && lastBefore === last) {
      return false;
    } else if (first !== items[0] && lastBefore === last) {
      // older messages paged in above: stay on what was being read
      this.fromBottom = log ? log.scrollHeight - log.scrollTop : 0;
    } else if (this.atBottom || (last !== lastBefore && last?.own && last.delivery === Delivery.Sending)) {
      this.fromBottom = 0;
    } else {
      return true;
    }
    return false;
  }

  /** Call after rendering: applies the scroll decided in {@link before}. */
  after(): void {
    const log = this.log();
    if (log && this.fromBottom !== undefined) log.scrollTop = log.scrollHeight - this.fromBottom;
    this.fromBottom = undefined;
  }

  /** Call on the list's `scroll` events; returns {@link atBottom}. */
  scrolled(): boolean {
    const log = this.log();
    if (log) this.atBottom = log.scrollHeight - log.scrollTop - log.clientHeight <= STICK_THRESHOLD_PX;
    return this.atBottom;
  }

  /** Scrolls to the newest message now. */
  toBottom(): void {
    this.fromBottom = 0;
    this.after();
    this.atBottom = true;
  }
}
