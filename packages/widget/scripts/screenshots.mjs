#!/usr/bin/env node
// Renders the widget on the demo site in headless Chromium and writes PNGs:
// closed (with an unread badge), open (light), open (dark), a private chat,
// and a phone-sized screen.
//
//   node packages/widget/scripts/screenshots.mjs [--out DIR]
//
// Needs a build first (`npm run build`: the relay's dist and widget.js).
// Starts its own relay on a free port (serving demo/ and /widget.js); the other
// people in the pictures are plain WebSocket clients of the seed profile.
// Browser: $CHROME_PATH, else /usr/bin/chromium.
import { mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer from 'puppeteer-core';
import WebSocket from 'ws';
import { createRelay } from '@parley/relay';

const here = dirname(fileURLToPath(import.meta.url));
const outArg = process.argv.indexOf('--out');
const OUT = resolve(outArg > 0 ? process.argv[outArg + 1] : join(here, '../../../docs/screenshots'));
const CHROME = [process.env.CHROME_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find(
  (p) => p && existsSync(p),
);
const ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  '--hide-scrollbars',
  '--font-render-hinting=none',
];

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A plain WebSocket client of the lobby (the seed profile), to chat with. */
async function plain(relay, nick) {
  const ws = new WebSocket(`${relay.url.replace(/^http/, 'ws')}/ws/${encodeURIComponent(nick)}`);
  await new Promise((res, rej) => {
    ws.once('open', res);
    ws.once('error', rej);
  });
  return {
    say: async (text) => {
      ws.send(text);
      await sleep(250);
    },
    whisper: async (to, text) => {
      ws.send(JSON.stringify({ to_user: to, msg: text }));
      await sleep(250);
    },
    close: () => ws.close(),
  };
}

/** Evaluates in the page with the widget's shadow root. */
const inWidget = (page, fn, ...args) =>
  page.evaluate(
    (src, ...a) => {
      const el = document.querySelector('chat-widget');
      return new Function('el', 'root', 'args', `return (${src})(el, root, args)`)(el, el.shadowRoot, a);
    },
    fn.toString(),
    ...args,
  );

async function waitWidget(page, check, what) {
  for (let i = 0; i < 100; i++) {
    if (await inWidget(page, check)) return;
    await sleep(100);
  }
  throw new Error(`screenshots: timed out waiting for ${what}`);
}

async function shot(page, name) {
  await sleep(400); // let animations and fonts settle
  const path = join(OUT, `${name}.png`);
  await page.screenshot({ path });
  console.log(`wrote ${path}`);
}

async function main() {
  if (!CHROME) throw new Error('screenshots: no Chromium found; set CHROME_PATH');
  await mkdir(OUT, { recursive: true });
  const relay = await createRelay({ port: 0, host: '127.0.0.1', log: false });
  const browser = await puppeteer.launch({ executablePath: CHROME, args: ARGS });
  const peers = [];
  try {
    const grace = await plain(relay, 'grace');
    const linus = await plain(relay, 'linus');
    peers.push(grace, linus);
    await grace.say('Morning! Is the Guji back in stock?');
    await linus.say('It is, roasted yesterday. Tasting notes: https://example.com/guji');

    const page = await browser.newPage();
    page.on('pageerror', (e) => console.error('page error:', e.message));
    await page.setViewport({ width: 1200, height: 800 });
    await page.goto(`${relay.url}/`, { waitUntil: 'load' });
    await waitWidget(page, (el, root) => root?.querySelector('[part=launcher]'), 'the widget');

    // the visitor picks a nickname
    await inWidget(page, (el) => el.open());
    await page.waitForFunction(() => document.querySelector('chat-widget').shadowRoot.activeElement?.id === 'nick');
    await page.keyboard.type('ada');
    await page.keyboard.press('Enter');
    await waitWidget(page, (el) => el.status === 'open', 'the connection');
    await inWidget(page, (el) => el.close());
    await grace.say('Ada, welcome!');
    await linus.say('Ask us anything about brewing.');
    await waitWidget(page, (el) => el.unread === 2, 'the unread badge');
    await inWidget(page, (el, root) => root.activeElement?.blur());
    await shot(page, 'closed');

    await inWidget(page, (el) => el.open());
    await waitWidget(page, (el, root) => root.querySelectorAll('.bubble').length >= 4, 'history');
    await page.keyboard.type('Thanks! What grind for a V60?');
    await page.keyboard.press('Enter');
    await waitWidget(page, (el, root) => root.querySelector('[data-state=sent]'), 'the ack');
    await linus.say('Medium-fine, like table salt. 15 g to 250 g water.');
    await page.keyboard.type('Perfect');
    await sleep(300);
    await shot(page, 'open-light');

    await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: 'dark' }]);
    await shot(page, 'open-dark');
    await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: 'light' }]);

    // a private conversation, picked from the online list
    await inWidget(page, (el, root) => root.querySelector('[part=members-button]').click());
    await sleep(200);
    await inWidget(page, (el, root) =>
      [...root.querySelectorAll('[part=members] button')].find((b) => b.textContent.includes('grace')).click(),
    );
    await page.keyboard.down('Control');
    await page.keyboard.press('KeyA');
    await page.keyboard.up('Control');
    await page.keyboard.press('Backspace');
    await page.keyboard.type('Could you keep a bag of Guji for me?');
    await page.keyboard.press('Enter');
    await grace.whisper('ada', 'Sure, I put one aside under your name.');
    await linus.say('Anyone tried the new house espresso?');
    await waitWidget(page, (el, root) => root.querySelectorAll('.bubble').length >= 2, 'the private messages');
    await shot(page, 'private');

    const phone = await browser.newPage();
    await phone.setViewport({ width: 390, height: 760, isMobile: true, hasTouch: true });
    await phone.goto(`${relay.url}/`, { waitUntil: 'load' });
    await waitWidget(phone, (el, root) => root?.querySelector('[part=launcher]'), 'the widget on the phone');
    await inWidget(phone, (el) => {
      el.nickname = 'sam';
      el.open();
    });
    await waitWidget(phone, (el, root) => el.status === 'open' && root.querySelectorAll('.bubble').length >= 5, 'history on the phone');
    await shot(phone, 'mobile');
  } finally {
    for (const p of peers) p.close();
    await browser.close();
    await relay.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
