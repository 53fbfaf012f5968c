/**
 * Whose address a connection is counted under. Behind a reverse proxy or load
 * balancer every TCP connection comes from the proxy, so the per-address
 * limits (`maxConnectionsPerIp`, the rate limit's memory across reconnects)
 * would count the proxy, not the visitor. With `trustedProxies` set, a
 * connection whose peer is one of them is counted under the address its
 * `X-Forwarded-For` header names: the nearest entry, from the right, that is
 * not itself a trusted proxy. From any other peer the header is ignored, so
 * nobody can pick the address they are counted under by sending it.
 */
import { BlockList, isIP } from 'node:net';
import { parseAddressRange } from '../config/address-range.js';

/** `::ffff:203.0.113.7` (an IPv4 peer on a dual-stack socket) → `203.0.113.7`. */
function plain(ip: string): string {
  return ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
}

/**
 * @example
 * ```ts
 * const addresses = new ClientAddresses(['10.0.0.0/8', '127.0.0.1']);
 * addresses.of('10.0.0.2', 'client, 198.51.100.4'); // '198.51.100.4'
 * addresses.of('198.51.100.9', '203.0.113.1');      // '198.51.100.9' (not a trusted proxy: header ignored)
 * ```
 */
export class ClientAddresses {
  private readonly trusted = new BlockList();
  private readonly any: boolean;

  /** @param proxies addresses and CIDR ranges of trusted proxies, checked by {@link parseAddressRange} */
  constructor(proxies: readonly string[]) {
    for (const entry of proxies) {
      const range = parseAddressRange(entry);
      if (!range) throw new Error(`not an IP address or CIDR range: ${entry}`);
      const type = range.family === 4 ? 'ipv4' : 'ipv6';
      if (range.prefix === undefined) this.trusted.addAddress(range.address, type);
      else this.trusted.addSubnet(range.address, range.prefix, type);
    }
    this.any = proxies.length > 0;
  }

  /** Whether `ip` is a trusted proxy. */
  isTrusted(ip: string): boolean {
    if (!this.any) return false;
    const p = plain(ip);
    const family = isIP(p);
    return family !== 0 && this.trusted.check(p, family === 4 ? 'ipv4' : 'ipv6');
  }

  /**
   * The address to count a connection under: its TCP peer, or, when the peer
   * is a trusted proxy, the nearest untrusted `X-Forwarded-For` entry (the
   * proxy's own address when the header is missing or names no valid one).
   */
  of(peer: string, forwardedFor: string | string[] | undefined): string {
    const ip = plain(peer);
    if (!this.isTrusted(ip) || forwardedFor === undefined) return ip;
    const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor).split(',');
    let nearest = ip;
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = plain(hops[i]!.trim());
      if (isIP(hop) === 0) return nearest;
      if (!this.isTrusted(hop)) return hop;
      nearest = hop;
    }
    return nearest;
  }
}
