/**
 * What the templates need from the element: its state (read-only) and the
 * handlers they bind. The element builds one of these; templates stay plain
 * functions of it.
 */
import type { Member } from '@parley/client';
import type { Locale, Strings } from '../locales/index.js';
import type { ChatStore } from '../model/chat-store.js';
import type { ChatItem, Conversation } from '../model/conversation.js';

export interface View extends Handlers {
  readonly t: Strings;
  readonly locale: Locale;
  readonly store: ChatStore;
  /** The header's title. */
  readonly heading: string;
  /** The nickname prompt is on screen. */
  readonly asking: boolean;
  readonly showMembers: boolean;
  /** The "new messages" pill is shown. */
  readonly pill: boolean;
  /** Code points in the composer near the length limit; below it only 0 (empty) or 1. */
  readonly draftLength: number;
  /** Longest text the relay accepts. */
  readonly maxLength: number;
  /** Nickname to prefill in the prompt. */
  readonly nickDraft: string;
}

/** The handlers templates bind. */
export interface Handlers {
  toggle(): void;
  close(): void;
  toggleMembers(): void;
  select(key: string): void;
  openDirect(member: Member): void;
  submitNick(e: SubmitEvent): void;
  submitMessage(e: Event): void;
  composerKey(e: KeyboardEvent): void;
  composerInput(e: Event): void;
  scrolled(): void;
  loadEarlier(c: Conversation): void;
  toBottom(): void;
  retry(c: Conversation, item: ChatItem): void;
}
