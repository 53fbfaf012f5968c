// Log injection: nicknames, message texts, seed paths and Origin headers
// crafted to look like log lines (newlines, carriage returns, ANSI escapes,
// JSON fragments) cannot forge or split a log line of the real relay process:
// every stdout line is one JSON object, none says what an attacker wrote, and
// message texts are never logged.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import WebSocket from 'ws';
import { Peer } from '../support/peer.js';
import { RawSocket } from '../support/raw-socket.js';
import { RelayProcess } from '../support/relay-process.js';
import { sleep, within } from '../support/wait.js';

const ORIGIN = 'http://allowed.example';
const FORGE = (n: number): string => `{"level":60,"time":1,"name":"parley-relay","msg":"FORGED-${n}"}`;

describe('log injection', { timeout: 60_000 }, () => {
  test('crafted nicknames, texts, paths and Origin headers cannot forge or split a log line', async () => {
    const relay = await RelayProcess.start({ log: 'debug', origins: ORIGIN });
    const peers: Peer[] = [];
    try {
      const open = async (hello: Record<string, unknown>): Promise<Record<string, any>> => {
        const p = await Peer.open(relay.wsUrl, 'parley.v1', { origin: ORIGIN });
        peers.push(p);
        return p.hello(hello);
      };
      const nicks = [FORGE(1).slice(0, 32), '"},{"level":60,"msg":"FORGED-2', 'x\\n{"level":60}', 'FORGED-3\\u000a'];
      const welcomed: string[] = [];
      for (const nick of nicks) {
        const answer = await open({ nick, rooms: [{ room: 'logs', since: 0 }] });
        if (answer.type === 'welcome') welcomed.push(answer.user.name);
      }
      assert.ok(welcomed.length >= 2, `some crafted nicknames are valid (and so get logged): ${JSON.stringify(welcomed)}`);
      // refused ones (control characters) must not be logged raw either
      for (const nick of [`a\n${FORGE(4)}`, `a\r${FORGE(5)}`, `a\u001b[2K\r${FORGE(6)}`, `a\u2028${FORGE(7)}`]) await open({ nick });
      // message texts: never logged
      const sender = peers[0]!;
      for (const [i, text] of [`\n${FORGE(8)}\n`, `\r\u001b[1A\u001b[2K${FORGE(9)}`, `\u2028${FORGE(10)}\u2029`, `TEXT-MARKER ${FORGE(11)}`].entries()) {
        sender.send({ type: 'send', room: 'logs', text, cid: `t${i}` });
      }
      await sender.fence();
      // seed paths (percent-decoded into nicknames)
      for (const nick of [FORGE(12).slice(0, 30), `a\n${FORGE(13)}`, `a\r\n${FORGE(14)}`]) {
        const ws = new WebSocket(`${relay.wsUrl.replace('/chat', '/ws/')}${encodeURIComponent(nick)}`, { origin: ORIGIN });
        ws.on('error', () => {});
        await within(new Promise((r) => ws.once('close', r).once('open', () => setTimeout(() => ws.close(), 50))), 4000, 'a seed connection').catch(() => ws.terminate());
      }
      // a foreign Origin is logged when refused
      for (const origin of [`https://evil.example/","level":60,"msg":"FORGED-15`, `https://evil.example/\u2028${FORGE(16)}`]) {
        await RawSocket.connect(relay.port, { origin }).then((r) => r.destroy(), () => undefined);
      }
      await sleep(300);
    } finally {
      await Promise.all(peers.map((p) => p.close()));
      await relay.kill('SIGTERM');
    }
    const problems: string[] = [];
    for (const line of relay.lines) {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        problems.push(`not JSON: ${JSON.stringify(line.slice(0, 200))}`);
        continue;
      }
      if (typeof entry !== 'object' || entry === null || typeof entry.level !== 'number' || typeof entry.msg !== 'string') problems.push(`not a log entry: ${line.slice(0, 200)}`);
      if (String(entry.msg).includes('FORGED')) problems.push(`a forged message: ${line.slice(0, 200)}`);
      if ((entry.level as number) >= 50) problems.push(`an error-level line: ${line.slice(0, 200)}`);
      if (/[\u0000-\u001f\u007f]/.test(line)) problems.push(`a raw control character: ${JSON.stringify(line.slice(0, 200))}`);
      if (line.includes('TEXT-MARKER') || line.includes('FORGED-8') || line.includes('FORGED-9')) problems.push(`a message text was logged: ${line.slice(0, 200)}`);
    }
    const rawSeparators = relay.lines.filter((l) => /[\u2028\u2029]/.test(l)).length;
    console.log(`log injection: ${relay.lines.length} log lines, all JSON; ${rawSeparators} carry a raw U+2028/U+2029 inside a JSON string (valid JSON, one line for line-based tools)`);
    assert.deepEqual(problems, []);
    // the crafted nicknames were logged, as JSON fields, exactly as given
    const logged = relay.logs.filter((e) => e.msg === 'session opened').map((e) => e.nick);
    assert.ok(logged.includes(FORGE(1).slice(0, 32)), 'the crafted nickname is logged as a field');
  });
});
