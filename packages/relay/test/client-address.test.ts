import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseAddressRange } from '../src/config/address-range.js';
import { ClientAddresses } from '../src/limits/client-address.js';

describe('client addresses', () => {
  test('reads addresses and CIDR ranges, and refuses anything else', () => {
    assert.deepEqual(parseAddressRange('10.0.0.0/8'), { address: '10.0.0.0', family: 4, prefix: 8 });
    assert.deepEqual(parseAddressRange(' 127.0.0.1 '), { address: '127.0.0.1', family: 4 });
    assert.deepEqual(parseAddressRange('fd00::/8'), { address: 'fd00::', family: 6, prefix: 8 });
    for (const bad of ['', 'proxy.example', '10.0.0.0/33', '10.0.0.0/', '10.0.0.0/8/8', '::/129', '10.0.0.0/x', '300.1.1.1']) {
      assert.equal(parseAddressRange(bad), null, bad);
    }
  });

  test('ignores X-Forwarded-For from a peer that is not a trusted proxy', () => {
    const a = new ClientAddresses(['10.0.0.0/8']);
    assert.equal(a.of('198.51.100.9', '203.0.113.1'), '198.51.100.9');
    assert.equal(new ClientAddresses([]).of('10.0.0.2', '203.0.113.1'), '10.0.0.2', 'trusting none');
  });

  test('takes the nearest untrusted hop from a trusted proxy', () => {
    const a = new ClientAddresses(['10.0.0.0/8', '127.0.0.1']);
    assert.equal(a.of('10.0.0.2', '203.0.113.1'), '203.0.113.1');
    // a client can prepend anything: only what the trusted proxies appended counts
    assert.equal(a.of('10.0.0.2', '192.0.2.66, 203.0.113.1'), '203.0.113.1');
    assert.equal(a.of('127.0.0.1', '192.0.2.66, 203.0.113.1, 10.1.2.3'), '203.0.113.1', 'through two proxies');
    assert.equal(a.of('10.0.0.2', ['192.0.2.66', '203.0.113.1']), '203.0.113.1', 'repeated headers');
    assert.equal(a.of('::ffff:127.0.0.1', '::ffff:203.0.113.1'), '203.0.113.1', 'IPv4 on a dual-stack socket');
  });

  test('falls back to the nearest trusted address when the header names no valid one', () => {
    const a = new ClientAddresses(['10.0.0.0/8']);
    assert.equal(a.of('10.0.0.2', undefined), '10.0.0.2');
    assert.equal(a.of('10.0.0.2', 'unknown'), '10.0.0.2');
    assert.equal(a.of('10.0.0.2', '203.0.113.1, garbage, 10.0.0.7'), '10.0.0.7');
    assert.equal(a.of('10.0.0.2', '10.0.0.9'), '10.0.0.9', 'every hop trusted: the farthest');
  });

  test('refuses a proxy list with an entry that is not an address', () => {
    assert.throws(() => new ClientAddresses(['proxy.example']), /not an IP address or CIDR range/);
  });
});
