// The client SDK in headless Chromium against the real test relay: the
// browser's own WebSocket and sessionStorage, page reloads, network events.
import { expect } from 'chai';
import { executeServerCommand } from '@web/test-runner-commands';
import { createClient, State, type ClientOptions, type ParleyClient, type StatusEvent } from '../../src/index.js';
import { ManualClock } from '../clock.js';

const relayUrl = async () => ((await executeServerCommand('relay-url')) as { url: string }).url;

let counter = 0;
const unique = (prefix: string) => `${prefix}${Date.now().toString(36).slice(-4)}${(++counter).toString(36)}${Math.random().toString(36).slice(2, 5)}`;

/** Resolves once `check()` is truthy, polling; fails after `ms`. */
async function until(check: () => unknown, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise<void>((r) => setTimeout(r, 20)); // the poll's pause
  }
}

let fences = 0;

/**
 * Sends a marker from `from` to `room` and waits until each of `receivers`
 * has delivered it; resolves with its text. A room is delivered in `seq`
 * order and a replay comes before what is live, so anything doubled would
 * have been delivered before it: check for doubles after it, not after a sleep.
 */
async function fence(from: ParleyClient, room: string, ...receivers: ParleyClient[]): Promise<string> {
  const text = `fence ${++fences}`;
  const seen = receivers.map((r) => new Promise<void>((resolve) => r.on('message', (m) => m.text === text && resolve())));
  await from.send(room, text);
  await Promise.all(seen);
  return text;
}

/**
 * The browser's WebSocket with a saboteur inside: it can vanish as a page
 * reload would, stall (half-open: nothing in, nothing out, nothing closed),
 * drop a frame and kill the socket, or rewrite what the relay sent. It logs
 * what the client sent.
 */
function pageSocket() {
  const page = {
    unloaded: false,
    opened: 0,
    sockets: [] as Array<WebSocket & { stalled: boolean }>,
    sent: [] as string[],
    /** Looks at each frame from the relay: `'kill'` drops it and closes that socket (4000, retryable). */
    onFrame: null as null | ((data: string) => 'forward' | 'kill'),
    /** Rewrites each frame from the relay before the client sees it. */
    rewrite: null as null | ((data: string) => string),
  };
  class PageSocket extends WebSocket {
    stalled = false;
    constructor(url: string, protocols: string | string[]) {
      if (page.unloaded) throw new Error('the page is gone');
      super(url, protocols);
      page.opened++;
      page.sockets.push(this);
    }
    override send(data: string) {
      page.sent.push(data);
      if (!this.stalled) super.send(data);
    }
    override set onmessage(handler: ((e: MessageEvent) => void) | null) {
      super.onmessage = handler && ((e: MessageEvent) => {
        if (this.stalled) return;
        const data = page.rewrite ? page.rewrite(e.data) : e.data;
        if (page.onFrame?.(data) === 'kill') return this.close(4000);
        handler({ data } as MessageEvent);
      });
    }
    override get onmessage() {
      return super.onmessage;
    }
  }
  return { page, WebSocket: PageSocket };
}

/** Rewrites the welcome's heartbeat limits, so a half-open socket shows within a test. */
const fastHeartbeat = (ping: number, pingTimeout: number) => (data: string) =>
  data
    .split('\n')
    .map((line) => {
      const e = JSON.parse(line);
      if (e.type === 'welcome') e.limits = { ...e.limits, ping, pingTimeout };
      return JSON.stringify(e);
    })
    .join('\n');

/**
 * Takes the page offline as a browser does: `navigator.onLine` turns false,
 * then `offline` fires. Returns the function that brings it back (`onLine`
 * true again, then `online`).
 */
function goOffline(): () => void {
  Object.defineProperty(navigator, 'onLine', { configurable: true, get: () => false });
  window.dispatchEvent(new Event('offline'));
  return () => {
    delete (navigator as unknown as Record<string, unknown>).onLine;
    window.dispatchEvent(new Event('online'));
  };
}

const clients: ParleyClient[] = [];
function client(options: Partial<ClientOptions> & { url: string }): ParleyClient {
  const c = createClient({ storage: null, backoff: { base: 50, cap: 300 }, ...options });
  clients.push(c);
  return c;
}
async function open(options: Partial<ClientOptions> & { url: string }): Promise<ParleyClient> {
  const c = client(options);
  c.connect();
  await until(() => c.state === State.Open, `${options.nick} to connect`);
  return c;
}

afterEach(async () => {
  clients.splice(0).forEach((c) => c.close());
  sessionStorage.clear();
  await executeServerCommand('relay-start'); // whatever a test stopped
});

describe('client in the browser', () => {
  it('connects with the browser WebSocket, sends and receives', async () => {
    const url = await relayUrl();
    const room = unique('r');
    const ada = await open({ url, nick: unique('ada'), rooms: [room] });
    const bob = await open({ url, nick: unique('bob'), rooms: [room] });
    const got: string[] = [];
    bob.on('message', (m) => got.push(m.text));
    const ack = await ada.send(room, 'hello from Chromium');
    expect(ack.seq).to.equal(1);
    await until(() => got.length === 1, 'the message');
    expect(got).to.deep.equal(['hello from Chromium']);
  });

  it('comes back after a relay restart and delivers what was queued, once', async () => {
    const url = await relayUrl();
    const room = unique('r');
    const { page, WebSocket } = pageSocket();
    const ada = await open({ url, nick: unique('ada'), rooms: [room], WebSocket });
    const statuses: string[] = [];
    ada.on('status', (s) => statuses.push(`${s.to}${s.code ? ` ${s.code}` : ''}`));
    await executeServerCommand('relay-stop');
    await until(() => ada.state === State.Reconnecting, 'the drop');
    const queued = ada.send(room, 'queued while the relay was down');
    await until(() => page.opened >= 3, 'two attempts while the relay is down');
    expect(ada.outbox).to.have.length(1);
    await executeServerCommand('relay-start');
    const ack = await queued;
    expect(ack.dup).to.not.equal(true);
    expect(statuses).to.deep.equal(['reconnecting 1001', 'open']);
    const history = await ada.history(room);
    expect(history.messages.map((m) => m.text)).to.deep.equal(['queued while the relay was down']);
  });

  it('sends a message typed just before a reload exactly once, from sessionStorage (relay down at the time)', async () => {
    const url = await relayUrl();
    const room = unique('r');
    const nick = unique('reload');
    const storageKey = unique('k');
    await executeServerCommand('relay-stop');
    const first = pageSocket();
    const before = client({ url, nick, rooms: [room], storage: sessionStorage, storageKey, WebSocket: first.WebSocket });
    before.connect();
    void before.send(room, 'typed before the reload').catch(() => {});
    expect(JSON.parse(sessionStorage.getItem(storageKey)!).outbox).to.have.length(1);
    first.page.unloaded = true; // the page reloads: its script and sockets are gone, sessionStorage stays
    first.page.sockets.forEach((s) => s.close()); // one may still be connecting (Chromium delays failed attempts)
    await executeServerCommand('relay-start');
    const reader = await open({ url, nick: unique('reader'), rooms: [room] });
    const got: string[] = [];
    reader.on('message', (m) => got.push(m.text));
    const after = client({ url, nick, rooms: [room], storage: sessionStorage, storageKey });
    expect(after.outbox.map((e) => e.text)).to.deep.equal(['typed before the reload']);
    after.connect();
    await until(() => got.length === 1 && after.outbox.length === 0, 'the message');
    const last = await fence(after, room, reader);
    expect(got).to.deep.equal(['typed before the reload', last]);
    expect(JSON.parse(sessionStorage.getItem(storageKey)!).outbox).to.deep.equal([]);
    expect((await after.history(room)).messages.map((m) => m.text)).to.deep.equal([last, 'typed before the reload'], 'stored once');
  });

  it('sends a message exactly once when the page reloads right after sending it (ack never seen)', async () => {
    const url = await relayUrl();
    const room = unique('r');
    const nick = unique('reload');
    const storageKey = unique('k');
    const reader = await open({ url, nick: unique('reader'), rooms: [room] });
    const got: string[] = [];
    reader.on('message', (m) => got.push(m.text));
    const first = pageSocket();
    const before = await open({ url, nick, rooms: [room], storage: sessionStorage, storageKey, WebSocket: first.WebSocket });
    void before.send(room, 'sent as the page unloads').catch(() => {});
    // the page goes away at once: the frame may or may not have reached the relay
    first.page.unloaded = true;
    // an unloading page's sockets close with 1001, which page code may not send; any code but 1000 keeps the session
    first.page.sockets.forEach((s) => s.close(4000));
    const after = client({ url, nick, rooms: [room], storage: sessionStorage, storageKey });
    expect(after.outbox).to.have.length(1);
    const welcomed = new Promise<boolean>((resolve) => after.on('welcome', (w) => resolve(w.resumed)));
    after.connect();
    expect(await welcomed).to.equal(true, 'the session is resumed with the saved secret');
    await until(() => after.outbox.length === 0 && got.length >= 1, 'the ack and the message');
    expect(got).to.deep.equal(['sent as the page unloads', await fence(after, room, reader)]);
  });

  it('loses and doubles nothing when its socket is killed mid-stream', async () => {
    const url = await relayUrl();
    const room = unique('r');
    const { page, WebSocket } = pageSocket();
    const reader = await open({ url, nick: unique('reader'), rooms: [room], WebSocket });
    const writer = await open({ url, nick: unique('writer'), rooms: [room] });
    const got: string[] = [];
    reader.on('message', (m) => got.push(m.text));
    const all = Array.from({ length: 30 }, (_, i) => String(i + 1));
    const sending = Promise.all(all.map((text) => writer.send(room, text)));
    await until(() => got.length >= 3, 'the first messages');
    page.sockets.at(-1)!.close(4000); // mid-stream
    const atKill = got.length;
    await sending;
    await until(() => got.length >= 30, 'every message');
    const last = await fence(writer, room, reader);
    expect(atKill).to.be.below(30);
    expect(got).to.deep.equal([...all, last]);
    expect(page.opened).to.equal(2);
  });

  it('resends after a dropped ack, and the relay answers the original ack instead of a second message', async () => {
    const url = await relayUrl();
    const room = unique('r');
    const { page, WebSocket } = pageSocket();
    const writer = await open({ url, nick: unique('writer'), rooms: [room], WebSocket });
    const reader = await open({ url, nick: unique('reader'), rooms: [room] });
    const got: string[] = [];
    reader.on('message', (m) => got.push(m.text));
    let dropped = 0;
    page.onFrame = (data) => (!dropped && data.includes('"type":"ack"') ? (dropped++, 'kill') : 'forward');
    const ack = await writer.send(room, 'exactly once');
    expect(dropped).to.equal(1);
    expect(ack.dup).to.equal(true);
    const last = await fence(writer, room, reader);
    expect(got).to.deep.equal(['exactly once', last]);
  });

  it('detects a half-open socket within the heartbeat timeout and recovers', async () => {
    const url = await relayUrl();
    const room = unique('r');
    const { page, WebSocket } = pageSocket();
    page.rewrite = fastHeartbeat(200, 300);
    const reader = await open({ url, nick: unique('reader'), rooms: [room], WebSocket });
    const writer = await open({ url, nick: unique('writer'), rooms: [room] });
    const got: string[] = [];
    reader.on('message', (m) => got.push(m.text));
    const dropped = new Promise<{ reason?: string; at: number }>((resolve) =>
      reader.on('status', (s) => s.to === State.Reconnecting && resolve({ reason: s.reason, at: Date.now() })),
    );
    const stalledAt = Date.now();
    page.sockets.at(-1)!.stalled = true; // nothing in, nothing out, nothing closed
    await writer.send(room, 'while stalled');
    const { reason, at } = await dropped;
    expect(reason).to.equal('heartbeat');
    expect(at - stalledAt).to.be.within(300, 200 + 300 + 300);
    await until(() => reader.state === State.Open, 'the new connection');
    await until(() => got.length === 1, 'the message sent while stalled');
    expect(got).to.deep.equal(['while stalled']);
  });

  it('drops the connection when the browser goes offline (status reconnecting, reason offline), and comes back when it is online', async () => {
    const url = await relayUrl();
    const clock = new ManualClock(); // no timer fires unless the test moves it
    const page = pageSocket();
    const c = await open({ url, nick: unique('off'), WebSocket: page.WebSocket, clock });
    const statuses: StatusEvent[] = [];
    c.on('status', (s) => statuses.push(s));
    const backOnline = goOffline();
    try {
      expect(statuses).to.deep.equal([{ from: State.Open, to: State.Reconnecting, reason: 'offline', code: 4000 }]);
      expect(page.page.sockets[0]!.readyState).to.be.oneOf([WebSocket.CLOSING, WebSocket.CLOSED]);
      clock.advance(10 * 60_000); // every timer that falls due fires: none is an attempt
      expect(page.page.opened).to.equal(1, 'no attempt while offline');
    } finally {
      backOnline();
    }
    expect(page.page.opened).to.equal(2, 'an attempt at once on online, no backoff');
    await until(() => c.state === State.Open, 'the session back');
    expect(statuses.map((s) => s.to)).to.deep.equal([State.Reconnecting, State.Open]);
  });

  it('pauses its retries while the browser is offline, and retries at once when it is online again', async () => {
    const url = await relayUrl();
    await executeServerCommand('relay-stop');
    const clock = new ManualClock();
    const page = pageSocket();
    const c = client({ url, nick: unique('net'), WebSocket: page.WebSocket, clock, backoff: { base: 60_000, cap: 60_000 } });
    c.connect();
    await until(() => c.state === State.Reconnecting, 'the first attempt to fail');
    expect(clock.pending).to.equal(1, 'a retry is waiting out its backoff');
    const backOnline = goOffline();
    try {
      expect(clock.pending).to.equal(0, 'the retry is called off');
      clock.advance(10 * 60_000);
      expect(page.page.opened).to.equal(1, 'no attempt while offline');
      await executeServerCommand('relay-start');
    } finally {
      backOnline();
    }
    expect(page.page.opened).to.equal(2, 'an attempt at once, not after the backoff (the clock has not moved)');
    await until(() => c.state === State.Open, 'the connection');
  });

  it('checks the connection with a ping when the page becomes visible again', async () => {
    const url = await relayUrl();
    const page = pageSocket();
    await open({ url, nick: unique('vis'), WebSocket: page.WebSocket });
    const pings = () => page.page.sent.filter((f) => f.includes('"type":"ping"')).length;
    expect(pings()).to.equal(0);
    document.dispatchEvent(new Event('visibilitychange'));
    await until(() => pings() === 1, 'a ping', 2000);
  });
});
