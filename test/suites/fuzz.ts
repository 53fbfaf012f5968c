/**
 * Property-based fuzzing of a live relay (its own process, so its memory can
 * be read after full collections):
 *
 * - envelope cases: text (and binary) frames of random, broken and valid
 *   envelopes, pipelined on one connection, each followed by a ping fence so
 *   its answers can be told apart. Every answer must be a documented envelope
 *   type, every error a documented code, every envelope the protocol's
 *   decoder refuses must get exactly that error, and a closed connection a
 *   documented close code;
 * - raw cases: hand-written WebSocket frames (a fresh connection each) that
 *   must end in the close code RFC 6455 demands, or be answered.
 *
 * Afterwards the relay still serves, and its memory (heap + external, after
 * full collections, once every connection is gone) returns to its baseline.
 */
import { decodeClientFrame } from '@parley/protocol';
import fc from 'fast-check';
import { DOCUMENTED_CLOSE_CODES, DOCUMENTED_ERROR_CODES, SERVER_TYPES, frameCase, rawScenario, type FrameCase, type RawScenario } from '../support/fuzz-cases.js';
import { Peer, type Envelope } from '../support/peer.js';
import { held, ProbedRelay } from '../support/probe.js';
import { Opcode, RawSocket } from '../support/raw-socket.js';
import { sleep, within } from '../support/wait.js';

export interface FuzzConfig {
  /** fast-check runs of envelope batches, and cases per batch. */
  envelopeRuns: number;
  batch: number;
  /** Keep running batches (new seeds) until this many envelope cases were answered. */
  envelopeTarget?: number;
  /** fast-check runs of raw scenarios, and scenarios per run (each on its own connection, run concurrently). */
  rawRuns: number;
  rawParallel: number;
  seed?: number;
  progress?: (line: string) => void;
}

export interface FuzzFigures {
  cases: number;
  envelopeCases: number;
  rawCases: number;
  /** Error codes answered, and close codes seen (not counting the relay echoing a close frame we sent), with counts. */
  errors: Record<string, number>;
  closes: Record<string, number>;
  /** Close handshakes where the relay echoed the valid close code a raw scenario sent. */
  echoes: number;
  /** Raw scenarios by name. */
  scenarios: Record<string, number>;
  connections: number;
  baseline: number;
  /** Memory once the envelope cases are done (before the raw ones). */
  afterEnvelopes: number;
  after: number;
  peak: number;
  healthy: boolean;
  seconds: number;
  seed: number;
}

/** Options of the fuzzed relay: the rate limit out of the way (so every envelope is decoded), small retention. */
export const FUZZ_RELAY = {
  rateBurst: 1_000_000,
  ratePerSecond: 1_000_000,
  abuseStrikes: 1000,
  historyLimit: 20,
  inboxLimit: 20,
  resumeWindowMs: 100,
  defaultRoom: 'default-room-not-fuzzed',
  maxConnectionsPerIp: 100_000,
};

const FENCE = 9_000_000_000_000_000;

/** Runs a property; a failure is rethrown with a short message (counterexamples can be megabytes). */
async function check<T>(property: fc.IAsyncProperty<T>, params: fc.Parameters<T>): Promise<void> {
  const out = await fc.check(property, params);
  if (!out.failed) return;
  const cause = out.errorInstance instanceof Error ? out.errorInstance.message : String(out.errorInstance);
  throw new Error(`property failed after ${out.numRuns} runs (seed ${out.seed}, path "${out.counterexamplePath}"): ${cause.slice(0, 2000)}`);
}
const bump = (o: Record<string, number>, k: string | number): void => void (o[k] = (o[k] ?? 0) + 1);

/** Checks one answer envelope; returns a problem or undefined. */
function badAnswer(e: Envelope): string | undefined {
  if (!SERVER_TYPES.has(e.type)) return `undocumented envelope type ${JSON.stringify(e.type)}`;
  if (e.type === 'error') {
    if (!DOCUMENTED_ERROR_CODES.has(e.code)) return `undocumented error code ${JSON.stringify(e.code)}`;
    if (typeof e.message !== 'string') return 'an error without a message';
    if (e.ref !== undefined && typeof e.ref !== 'string') return 'an error with a non-string ref';
  }
  return undefined;
}

const describeCase = (c: FrameCase): string =>
  c.kind === 'binary' ? `binary ${c.bytes.toString('hex').slice(0, 80)}` : `text(${c.text.length}) ${JSON.stringify(c.text.slice(0, 200))}`;

export class EnvelopeRunner {
  private peer: Peer | undefined;
  private fence = FENCE;
  private n = 0;
  connections = 0;
  cases = 0;

  constructor(
    private readonly url: string,
    private readonly f: FuzzFigures,
  ) {}

  private async connect(): Promise<Peer> {
    const peer = await Peer.open(this.url);
    this.connections++;
    if (this.connections % 2 === 0) {
      const w = await peer.hello({ nick: `fz${++this.n}`, rooms: [{ room: 'fz', since: 0 }] });
      if (w.type !== 'welcome') throw new Error(`fuzz hello refused: ${JSON.stringify(w)}`);
    }
    return peer;
  }

  /** Sends a batch pipelined (case, fence, case, fence...) and checks every answer. Throws on a broken promise. */
  async run(cases: FrameCase[]): Promise<void> {
    const peer = (this.peer ??= await this.connect());
    const start = peer.received.length;
    const fences: number[] = [];
    for (const c of cases) {
      if (c.kind === 'text') peer.ws.send(c.text);
      else peer.ws.send(c.bytes, { binary: true });
      const ts = ++this.fence;
      fences.push(ts);
      peer.ws.send(`{"type":"ping","ts":${ts}}`);
    }
    const last = fences.at(-1)!;
    let closed: { code: number } | undefined;
    await within(
      Promise.race([peer.next((e) => e.type === 'pong' && e.ts === last, 60_000, start).catch(() => undefined), peer.closed.then((c) => (closed = c))]),
      60_000,
      'the batch to be answered',
    );
    if (!closed && peer.ws.readyState !== peer.ws.OPEN) closed = await peer.closed;
    // split the answers at the fences
    const answers = peer.received.slice(start);
    let i = 0;
    let current: Envelope[] = [];
    for (const e of answers) {
      if (e.type === 'pong' && e.ts === fences[i]) {
        this.check(cases[i]!, current, true);
        i++;
        current = [];
        continue;
      }
      current.push(e);
    }
    this.cases += i;
    if (closed) {
      bump(this.f.closes, closed.code);
      if (i < cases.length) {
        this.check(cases[i]!, current, false);
        this.cases++;
      }
      if (!DOCUMENTED_CLOSE_CODES.has(closed.code)) throw new Error(`closed with undocumented code ${closed.code} after ${describeCase(cases[i] ?? cases.at(-1)!)}`);
      this.peer = undefined;
    } else if (i !== cases.length) {
      throw new Error(`only ${i} of ${cases.length} fences came back`);
    }
  }

  private check(c: FrameCase, answers: Envelope[], complete: boolean): void {
    for (const e of answers) {
      const bad = badAnswer(e);
      if (bad) throw new Error(`${bad} after ${describeCase(c)}: ${JSON.stringify(e).slice(0, 300)}`);
      if (e.type === 'error') bump(this.f.errors, e.code);
    }
    if (!complete) return;
    // what the protocol's decoder refuses must be refused with exactly that code, in order
    const expected = c.kind === 'binary' ? ['bad_json'] : decodeClientFrame(c.text).flatMap((r) => (r.ok ? [] : [r.error.code]));
    const got = answers.filter((e) => e.type === 'error').map((e) => e.code as string);
    let k = 0;
    for (const code of got) if (code === expected[k]) k++;
    if (k < expected.length) throw new Error(`expected errors ${JSON.stringify(expected)}, got ${JSON.stringify(got)} after ${describeCase(c)}`);
  }

  async close(): Promise<void> {
    await this.peer?.close();
    this.peer = undefined;
  }
}

/** Runs one raw scenario on a fresh connection and checks its outcome. */
export async function runRaw(port: number, s: RawScenario, n: number, f: FuzzFigures): Promise<void> {
  const raw = await RawSocket.connect(port);
  try {
    if (s.hello) {
      const w = await raw.hello({ nick: `raw${n}` });
      if (w.type !== 'welcome') throw new Error(`raw hello refused: ${JSON.stringify(w)}`);
    }
    const from = raw.envelopes.length;
    raw.frames(s.frames);
    const ts = FENCE - n;
    raw.send({ type: 'ping', ts });
    const sentCloses = new Set(s.frames.filter((fr) => fr.opcode === Opcode.Close && Buffer.from(fr.payload ?? '').length >= 2).map((fr) => Buffer.from(fr.payload!).readUInt16BE(0)));
    const answered = await Promise.race([
      raw.next((e) => e.type === 'pong' && e.ts === ts, 5000, from).then(() => 'pong' as const, () => 'none' as const),
      raw.closed.then(() => 'closed' as const),
    ]);
    const outcome = answered === 'closed' || raw.closeCode !== undefined ? raw.closeCode! : answered;
    bump(f.scenarios, s.name);
    if (typeof outcome === 'number' && sentCloses.has(outcome)) f.echoes++;
    else if (typeof outcome === 'number') bump(f.closes, outcome);
    for (const e of raw.envelopes.slice(from)) {
      const bad = badAnswer(e);
      if (bad) throw new Error(`${bad} in "${s.name}"`);
      if (e.type === 'error') bump(f.errors, String(e.code));
    }
    const what = `"${s.name}" (${s.frames.length} frames${s.hello ? ', after hello' : ''})`;
    if (outcome === 'none') throw new Error(`${what}: the relay neither answered nor closed within 5 s`);
    if (s.expect === 'open') {
      if (outcome !== 'pong') throw new Error(`${what}: expected the connection to stay open, it closed with ${outcome}`);
      if (s.frames.some((fr) => fr.opcode === Opcode.Binary) && !raw.envelopes.slice(from).some((e) => e.type === 'error' && e.code === 'bad_json')) {
        throw new Error(`${what}: a binary frame was not refused with bad_json`);
      }
    } else if (s.expect === 'any') {
      if (typeof outcome === 'number' && !DOCUMENTED_CLOSE_CODES.has(outcome) && !sentCloses.has(outcome)) throw new Error(`${what}: undocumented close code ${outcome}`);
    } else if (outcome !== s.expect) {
      throw new Error(`${what}: expected close ${s.expect}, got ${outcome}`);
    }
  } finally {
    raw.destroy();
  }
}

/** Runs envelope and raw fuzzing against a fresh relay process and measures its memory. */
export async function runFuzz(config: Partial<FuzzConfig> = {}): Promise<FuzzFigures> {
  const c: FuzzConfig = { envelopeRuns: 20, batch: 50, rawRuns: 200, rawParallel: 1, ...config };
  const seed = c.seed ?? Date.now() % 2 ** 31;
  const say = c.progress ?? (() => {});
  const started = Date.now();
  const relay = await ProbedRelay.start(FUZZ_RELAY);
  const f: FuzzFigures = { cases: 0, envelopeCases: 0, rawCases: 0, errors: {}, closes: {}, echoes: 0, scenarios: {}, connections: 0, baseline: 0, afterEnvelopes: 0, after: 0, peak: 0, healthy: false, seconds: 0, seed };
  const envelopes = new EnvelopeRunner(relay.wsUrl, f);
  let rawN = 0;
  try {
    const quiet = async (): Promise<number> => {
      await envelopes.close();
      await sleep(FUZZ_RELAY.resumeWindowMs * 3 + 300); // dropped sessions and emptied rooms expire
      return held(await relay.memory());
    };
    // warm-up: every code path runs once before the baseline is taken
    await check(fc.asyncProperty(fc.array(frameCase, { minLength: 100, maxLength: 100 }), (cases) => envelopes.run(cases)), { numRuns: 3, seed: seed + 1 });
    await check(
      fc.asyncProperty(fc.array(rawScenario(1_048_576), { minLength: 4, maxLength: 4 }), (l) => Promise.all(l.map((s) => runRaw(relay.port, s, ++rawN, f))).then(() => undefined)),
      { numRuns: 50, seed: seed + 2 },
    );
    f.baseline = await quiet();
    await relay.peak();
    let runs = 0;
    const target = c.envelopeTarget ?? 0;
    for (let round = 0; round === 0 || envelopes.cases < target; round++) {
      const numRuns = round === 0 ? c.envelopeRuns : Math.ceil((target - envelopes.cases) / c.batch);
      await check(
        fc.asyncProperty(fc.array(frameCase, { minLength: c.batch, maxLength: c.batch }), async (cases) => {
          await envelopes.run(cases);
          if (++runs % Math.max(1, Math.round(50_000 / c.batch)) === 0) say(`fuzz: ${envelopes.cases} envelope cases`);
        }),
        { numRuns, seed: seed + 10 * round, endOnFailure: numRuns > 100 },
      );
    }
    f.envelopeCases = envelopes.cases;
    f.afterEnvelopes = await quiet();
    let raws = 0;
    await check(
      fc.asyncProperty(fc.array(rawScenario(1_048_576), { minLength: c.rawParallel, maxLength: c.rawParallel }), async (list) => {
        await Promise.all(list.map((s) => runRaw(relay.port, s, ++rawN, f)));
        raws += list.length;
        if (raws % 5000 < list.length) say(`fuzz: ${raws} raw cases`);
      }),
      { numRuns: c.rawRuns, seed: seed + 3, endOnFailure: c.rawRuns > 1000 },
    );
    f.rawCases = raws;
    f.peak = (await relay.peak()).heap;
    f.after = await quiet();
    // still serving: a fresh client is welcomed and answered
    const probe = await Peer.open(relay.wsUrl);
    const w = await probe.hello({ nick: 'after-fuzz' });
    await probe.fence();
    await probe.close();
    const health = await fetch(`${relay.url}/healthz`);
    f.healthy = w.type === 'welcome' && health.status === 200 && relay.alive;
    f.connections = envelopes.connections + rawN;
    f.cases = f.envelopeCases + f.rawCases;
    f.seconds = (Date.now() - started) / 1000;
    return f;
  } finally {
    await envelopes.close();
    await relay.close();
  }
}

export function fuzzLines(f: FuzzFigures): string[] {
  const mb = (b: number): string => `${(b / 1048576).toFixed(1)} MiB`;
  const top = (o: Record<string, number>): string =>
    Object.entries(o)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
  return [
    `fuzz: ${f.cases} cases (${f.envelopeCases} envelope frames, ${f.rawCases} raw scenarios) over ${f.connections} connections in ${f.seconds.toFixed(1)} s, seed ${f.seed}; relay healthy after: ${f.healthy}`,
    `fuzz: errors answered: ${top(f.errors)}`,
    `fuzz: close codes: ${top(f.closes)}; and ${f.echoes} close handshakes echoing the scenario's own valid code`,
    `fuzz: relay memory (heap + external after GC, no connection left) baseline ${mb(f.baseline)}, peak ${mb(f.peak)}, after the envelopes ${mb(f.afterEnvelopes)}, ` +
      `after everything ${mb(f.after)} (${f.after >= f.baseline ? '+' : ''}${((f.after - f.baseline) / 1024).toFixed(0)} KiB)`,
  ];
}
