import type { Strings } from './strings.js';

/** English, the fallback locale. */
export const en: Strings = {
  title: 'Chat',
  openChat: 'Open chat',
  closeChat: 'Close chat',
  openChatUnread: (n) => `Open chat, ${n} unread`,
  unread: (n) => `${n} unread`,

  status: {
    idle: 'Not connected',
    connecting: 'Connecting…',
    open: 'Connected',
    reconnecting: 'Reconnecting…',
    closed: 'Offline',
  },
  reconnectingBanner: 'Connection lost. Reconnecting… Messages will be sent once it is back.',
  offlineBanner: 'You are offline. Messages will be sent once you are back.',

  online: (n) => `${n} online`,
  membersHeading: 'Online now',
  you: '(you)',
  roomLabel: (room) => `#${room}`,
  conversations: 'Conversations',
  privateWith: (name) => `Private chat with ${name}`,

  nicknameHeading: 'Join the chat',
  nicknameLabel: 'Your nickname',
  join: 'Join',
  nicknameErrors: {
    bad_nickname: 'This nickname is not allowed: use 1 to 32 letters, numbers or symbols.',
    nickname_taken: 'Someone is already using this nickname. Please choose another.',
    fallback: 'Could not join the chat. Please try again.',
  },

  messages: 'Messages',
  loadEarlier: 'Load earlier messages',
  noMessages: 'No messages yet. Say hello!',
  newMessages: 'New messages',
  joined: (name) => `${name} joined`,
  left: (name) => `${name} left`,
  sending: 'Sending…',
  sent: 'Sent',
  failed: 'Not sent',
  retry: 'Retry',
  typing: (names) =>
    names.length === 1
      ? `${names[0]} is typing…`
      : names.length === 2
        ? `${names[0]} and ${names[1]} are typing…`
        : 'Several people are typing…',

  messageLabel: 'Message',
  placeholder: 'Write a message…',
  send: 'Send',
  counter: (left) => (left >= 0 ? `Characters left: ${left}` : `Over the limit by ${-left}`),

  sendErrors: {
    rate_limited: 'You are sending too fast.',
    unknown_user: 'This person has left the chat.',
    fallback: 'The message could not be sent.',
  },
};
