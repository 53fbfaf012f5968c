import type { Strings } from './strings.js';

/** Simplified Chinese. */
export const zhCN: Strings = {
  title: '聊天',
  openChat: '打开聊天',
  closeChat: '关闭聊天',
  openChatUnread: (n) => `打开聊天，${n} 条未读`,
  unread: (n) => `${n} 条未读`,

  status: {
    idle: '未连接',
    connecting: '正在连接…',
    open: '已连接',
    reconnecting: '正在重新连接…',
    closed: '离线',
  },
  reconnectingBanner: '连接已断开，正在重连…恢复后将发送消息。',
  offlineBanner: '你已离线，恢复后将发送消息。',

  online: (n) => `${n} 人在线`,
  membersHeading: '在线用户',
  you: '（你）',
  roomLabel: (room) => `#${room}`,
  conversations: '会话',
  privateWith: (name) => `与 ${name} 私聊`,

  nicknameHeading: '加入聊天',
  nicknameLabel: '你的昵称',
  join: '加入',
  nicknameErrors: {
    bad_nickname: '昵称不可用：请使用 1–32 个字母、数字或符号。',
    nickname_taken: '该昵称已被使用，请换一个。',
    fallback: '无法加入聊天，请重试。',
  },

  messages: '消息',
  loadEarlier: '加载更早的消息',
  noMessages: '还没有消息，打个招呼吧！',
  newMessages: '有新消息',
  joined: (name) => `${name} 加入了`,
  left: (name) => `${name} 离开了`,
  sending: '发送中…',
  sent: '已发送',
  failed: '发送失败',
  retry: '重试',
  typing: (names) => (names.length <= 2 ? `${names.join('、')} 正在输入…` : '多人正在输入…'),

  messageLabel: '消息',
  placeholder: '输入消息…',
  send: '发送',
  counter: (left) => (left >= 0 ? `还可输入 ${left} 字` : `超出 ${-left} 字`),

  sendErrors: {
    rate_limited: '发送太快了。',
    unknown_user: '对方已离开聊天。',
    fallback: '消息发送失败。',
  },
};
