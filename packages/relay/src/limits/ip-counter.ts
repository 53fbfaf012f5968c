/**
 * Concurrent connections per IP address. An entry exists only while its
 * count is above zero.
 */

/**
 * @example
 * ```ts
 * if (!ips.acquire(ip)) ws.close(CloseCode.TooManyConnections);
 * ws.on('close', () => ips.release(ip));
 * ```
 */
export class IpCounter {
  private readonly counts = new Map<string, number>();

  constructor(private readonly max: number) {}

  /** Counts a connection from `ip`; `false` (and nothing counted) when it is at the limit. */
  acquire(ip: string): boolean {
    const n = this.counts.get(ip) ?? 0;
    if (n >= this.max) return false;
    this.counts.set(ip, n + 1);
    return true;
  }

  /** Uncounts a connection from `ip`. */
  release(ip: string): void {
    const n = this.counts.get(ip) ?? 0;
    if (n <= 1) this.counts.delete(ip);
    else this.counts.set(ip, n - 1);
  }

  /** Addresses with at least one connection. */
  get size(): number {
    return this.counts.size;
  }
}
