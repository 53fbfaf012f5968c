// Small statistics helpers for latency samples and repeated runs.

/** p50/p95/p99/max/mean of the first `n` samples (sorts them in place). */
export function percentiles(samples, n = samples.length) {
  if (n === 0) return { n: 0, p50: NaN, p95: NaN, p99: NaN, max: NaN, mean: NaN };
  const a = samples.subarray ? samples.subarray(0, n) : samples.slice(0, n);
  a.sort();
  let sum = 0;
  for (let i = 0; i < n; i++) sum += a[i];
  const at = (q) => a[Math.min(n - 1, Math.floor(q * (n - 1)))];
  return { n, p50: at(0.5), p95: at(0.95), p99: at(0.99), max: a[n - 1], mean: sum / n };
}

/** Median of numbers (NaN for none). */
export function median(xs) {
  const a = xs.filter((x) => Number.isFinite(x)).sort((x, y) => x - y);
  if (a.length === 0) return NaN;
  const m = a.length >> 1;
  return a.length % 2 ? a[m] : (a[m - 1] + a[m]) / 2;
}

/** CPU seconds (user + system) between two process.cpuUsage() readings. */
export function cpuSeconds(a, b) {
  return { user: (b.user - a.user) / 1e6, system: (b.system - a.system) / 1e6, total: (b.user - a.user + b.system - a.system) / 1e6 };
}
