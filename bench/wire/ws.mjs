// Wire format of the bare-ws baseline (peers/ws-server.mjs): each frame is one
// JSON object; the client sends {text} and receives {from, text}.

/** @type {import('./index.mjs').Wire} */
export const wsWire = {
  name: 'ws',
  url: (base) => base,
  protocols: undefined,
  greet() {},
  readyOnOpen: true,
  isReady: () => true,
  isError: () => false,
  control: () => false,
  encodeSend: (text) => JSON.stringify({ text }),
  heartbeat: undefined,
};
