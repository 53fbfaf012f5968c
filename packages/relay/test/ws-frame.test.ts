import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { createServer, type Server } from 'node:http';
import WebSocket, { WebSocketServer } from 'ws';
import { headerLength, joinedTextFrame, textFrame } from '../src/wire/ws-frame.js';

/**
 * Frames are written raw to the TCP socket under a real `ws` server socket
 * and read by a real `ws` client, which validates every header bit
 * (a malformed frame closes the connection with 1002).
 */
describe('ws-frame', () => {
  let server: Server;
  let wire: Duplex;
  let client: WebSocket;
  const received: string[] = [];

  before(async () => {
    server = createServer();
    const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
    const accepted = new Promise<void>((resolve) => {
      server.on('upgrade', (req, socket, head) =>
        wss.handleUpgrade(req, socket, head, () => {
          wire = socket;
          resolve();
        }),
      );
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`, { perMessageDeflate: false, maxPayload: 1 << 20 });
    client.on('message', (data, isBinary) => {
      assert.equal(isBinary, false);
      received.push(data.toString());
    });
    await Promise.all([accepted, once(client, 'open')]);
  });

  after(async () => {
    client.terminate();
    server.close();
  });

  async function roundTrip(frame: Buffer): Promise<string> {
    const before = received.length;
    wire.write(frame);
    while (received.length === before) {
      if (client.readyState !== WebSocket.OPEN) throw new Error('the client closed: malformed frame');
      await new Promise((r) => setTimeout(r, 5));
    }
    return received[before]!;
  }

  // every length field: 7-bit up to 125, 16-bit from 126 to 65,535, 64-bit from 65,536
  for (const length of [0, 1, 125, 126, 127, 65_535, 65_536, 200_000]) {
    test(`a ${length}-byte text payload arrives whole`, async () => {
      const text = 'é'.repeat(length >> 1) + 'x'.repeat(length & 1);
      const payload = Buffer.from(text);
      assert.equal(payload.length, length);
      const frame = textFrame(payload);
      assert.equal(frame.length, headerLength(length) + length);
      assert.equal(await roundTrip(frame), text);
    });
  }

  test('joins envelopes with newlines in one frame, across the 16-bit boundary', async () => {
    const parts = [Buffer.from('{"a":1}'), Buffer.from('x'.repeat(70_000)), Buffer.from('ü')];
    assert.equal(await roundTrip(joinedTextFrame(parts)), `{"a":1}\n${'x'.repeat(70_000)}\nü`);
    assert.equal(await roundTrip(joinedTextFrame([Buffer.from('solo')])), 'solo');
  });
});
