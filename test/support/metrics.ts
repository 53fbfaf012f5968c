/** Reads the relay's Prometheus metrics (`/metrics`). */

/** The value of one sample (`name{labels}`), 0 when absent. */
export async function metric(relayUrl: string, name: string, labels = ''): Promise<number> {
  const text = await (await fetch(`${relayUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `));
  return line ? Number(line.split(' ')[1]) : 0;
}
