/**
 * Addresses and CIDR ranges as options name them (`trustedProxies`): checked
 * when the options are resolved, used by the per-address limits.
 */
import { isIP } from 'node:net';

/** The address or `address/prefix` (CIDR) in `entry`, checked; `null` when it is not one. */
export function parseAddressRange(entry: string): { address: string; family: 4 | 6; prefix?: number } | null {
  const [address = '', prefixText, extra] = entry.trim().split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined) return null;
  if (prefixText === undefined) return { address, family: family as 4 | 6 };
  const prefix = /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
  if (!(prefix >= 0 && prefix <= (family === 4 ? 32 : 128))) return null;
  return { address, family: family as 4 | 6, prefix };
}
