// Cross-site WebSocket hijacking: with an Origin allowlist, an upgrade from
// any other page (or none) is refused with 403 before a WebSocket opens, on
// every WebSocket path; an allowed origin is served.
import { createRelay, type RelayHandle } from '@parley/relay';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Peer } from '../support/peer.js';
import { RawSocket } from '../support/raw-socket.js';

describe('cross-site WebSocket hijacking', { timeout: 30_000 }, () => {
  let relay: RelayHandle;
  before(async () => {
    relay = await createRelay({ port: 0, host: '127.0.0.1', log: false, origins: ['https://chat.example.com', 'https://www.example.com'] });
  });
  after(() => relay.close());

  const status = async (path: string, origin: string | undefined): Promise<number> => {
    try {
      const raw = await RawSocket.connect(relay.port, { path, origin, protocol: path === '/chat' ? 'parley.v1' : null });
      raw.destroy();
      return 101;
    } catch (err) {
      return (err as { status: number }).status;
    }
  };

  for (const origin of ['https://evil.example', 'https://chat.example.com.evil.example', 'http://chat.example.com', 'https://chat.example.com:8443', 'null', 'https://example.com', 'chat.example.com', undefined]) {
    test(`refuses an upgrade from ${origin === undefined ? 'no Origin' : `Origin "${origin}"`} with 403 on /chat, /ws and /ws/<nickname>`, async () => {
      for (const path of ['/chat', '/ws', '/ws/mallory']) assert.equal(await status(path, origin), 403, `${path}`);
    });
  }

  test('serves an allowed origin, compared case-insensitively', async () => {
    assert.equal(await status('/chat', 'https://chat.example.com'), 101);
    assert.equal(await status('/chat', 'HTTPS://WWW.EXAMPLE.COM'), 101);
    const peer = await Peer.open(relay.wsUrl, 'parley.v1', { origin: 'https://chat.example.com' });
    assert.equal((await peer.hello({ nick: 'ada' })).type, 'welcome');
    await peer.close();
  });

  test('a refused upgrade leaves nothing behind: no connection, no session', async () => {
    for (let i = 0; i < 20; i++) await status('/chat', 'https://evil.example');
    const health = (await (await fetch(`${relay.url.replace('localhost', '127.0.0.1')}/healthz`)).json()) as { connections: number; sessions: number };
    assert.deepEqual([health.connections, health.sessions], [0, 0]);
  });
});
