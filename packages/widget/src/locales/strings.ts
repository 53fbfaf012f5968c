/**
 * The shape of one locale: every string the widget shows or announces.
 *
 * Plain strings are shown as they are; functions build the strings that carry
 * a name or a number. A locale is one object of this type in one file.
 */
export interface Strings {
  /** Header title when the `title` attribute is not set. */
  title: string;
  openChat: string;
  closeChat: string;
  /** Launcher label with unread messages. */
  openChatUnread: (n: number) => string;
  /** Screen-reader label of a badge count. */
  unread: (n: number) => string;

  // connection status, by client state
  status: {
    idle: string;
    connecting: string;
    open: string;
    reconnecting: string;
    closed: string;
  };
  /** Banner while the socket is down but sends are queued. */
  reconnectingBanner: string;
  /** Banner while the browser reports no network. */
  offlineBanner: string;

  // who is online
  online: (n: number) => string;
  membersHeading: string;
  you: string;
  /** The room's conversation button. */
  roomLabel: (room: string) => string;
  conversations: string;
  /** Label of the private conversation button. */
  privateWith: (name: string) => string;

  // nickname prompt
  nicknameHeading: string;
  nicknameLabel: string;
  join: string;
  /** Inline errors, by relay error code; `fallback` for the others. */
  nicknameErrors: Record<string, string> & { fallback: string };

  // message list
  messages: string;
  loadEarlier: string;
  noMessages: string;
  newMessages: string;
  joined: (name: string) => string;
  left: (name: string) => string;
  sending: string;
  sent: string;
  failed: string;
  retry: string;
  typing: (names: string[]) => string;

  // composer
  messageLabel: string;
  placeholder: string;
  send: string;
  /** Counter near the length limit: `left` may be negative (over the limit). */
  counter: (left: number) => string;

  /** Send errors shown on failed messages, by code; `fallback` for the others. */
  sendErrors: Record<string, string> & { fallback: string };
}
