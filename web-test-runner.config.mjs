// @web/test-runner: browser tests (packages/*/test/browser/**/*.test.ts, test/browser/**) in
// headless Chromium, against a real relay started here.
//
// Browser: $CHROME_PATH, else /usr/bin/chromium, else other common paths.
// Tests reach the relay through server commands (see relayPlugin below):
//   import { executeServerCommand } from '@web/test-runner-commands';
//   const { url } = await executeServerCommand('relay-url');   // ws://127.0.0.1:PORT/chat
//   await executeServerCommand('relay-restart');               // drop everyone, come back on the same port
import { existsSync } from 'node:fs';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner-chrome';

const CANDIDATES = [
  process.env.CHROME_PATH,
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/snap/bin/chromium',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
].filter(Boolean);

const executablePath = CANDIDATES.find((p) => existsSync(p));
if (!executablePath) {
  console.error(
    'No Chromium or Chrome found: install one (Debian: apt-get install chromium) or set CHROME_PATH=/path/to/chrome.',
  );
  process.exit(1);
}

/** Flags a headless browser needs on a closed-network machine running as root. */
export const CHROMIUM_FLAGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
  '--disable-extensions',
];

/** Starts a real relay for the browser tests and lets them drive it. */
function relayPlugin() {
  let relay = null;
  let port = 0;
  const start = async () => {
    const { createRelay } = await import('./packages/relay/dist/index.js');
    relay = await createRelay({ port, host: '127.0.0.1', log: false, serveTestPages: true });
    port = relay.port;
  };
  // Started on first use, so suites that need no relay run without one.
  let started = false;
  return {
    name: 'parley-relay',
    async serverStop() {
      await relay?.close();
    },
    async executeCommand({ command }) {
      if (command.startsWith('relay-') && !started) {
        started = true;
        await start();
      }
      switch (command) {
        case 'relay-url':
          return { url: `ws://127.0.0.1:${port}/chat`, http: `http://127.0.0.1:${port}` };
        case 'relay-stop':
          await relay?.close();
          relay = null;
          return true;
        case 'relay-start':
          if (!relay) await start();
          return true;
        case 'relay-restart':
          await relay?.close();
          relay = null;
          await start();
          return true;
        default:
          return undefined;
      }
    },
  };
}

export default {
  files: ['packages/*/test/browser/**/*.test.ts', 'test/browser/**/*.test.ts'],
  nodeResolve: true,
  concurrency: 1,
  testFramework: { config: { timeout: 20000 } },
  browserStartTimeout: 60000,
  testsFinishTimeout: 300000,
  plugins: [esbuildPlugin({ ts: true, target: 'es2022' }), relayPlugin()],
  browsers: [chromeLauncher({ launchOptions: { executablePath, args: CHROMIUM_FLAGS } })],
};
