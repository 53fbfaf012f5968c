import { createRelay } from '@parley/relay';
import { Peer } from './support/peer.ts';
const relay = await createRelay({ port: 0, host: '127.0.0.1', log: false });
for (const nick of ['ad\u034fa', '\u034fada', 'ada\u034f', 'ada \u034fx', 'gra\u034fce']) {
  const p = await Peer.open(relay.wsUrl);
  console.log(JSON.stringify(nick), JSON.stringify(await p.hello({ nick })));
  await p.close();
}
await relay.close();
