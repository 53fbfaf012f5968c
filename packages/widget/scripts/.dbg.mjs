import { createRelay } from '@parley/relay';
import puppeteer from 'puppeteer-core';
const relay = await createRelay({ port: 0, host: '127.0.0.1', log: false });
const browser = await puppeteer.launch({ executablePath: '/usr/bin/chromium', args: ['--headless=new','--no-sandbox','--disable-gpu'] });
try {
  const page = await browser.newPage();
  page.on('console', (m) => console.log('console:', m.type(), m.text()));
  page.on('pageerror', (e) => console.log('pageerror:', e.message));
  await page.goto(relay.url + '/plain.html', { waitUntil: 'load' });
  await page.addScriptTag({ url: relay.url + '/widget.js' });
  const r = await Promise.race([page.evaluate(async (url) => {
    const f = document.createElement('input'); document.body.append(f); f.focus();
    const el = document.createElement('chat-widget');
    el.setAttribute('relay', url); el.setAttribute('nickname', 'zed'); el.setAttribute('open', '');
    document.body.append(el);
    await el.updateComplete;
    await new Promise(r => setTimeout(r, 1000));
    return { status: el.status, active: document.activeElement.tagName };
  }, relay.wsUrl), new Promise(r => setTimeout(() => r('TIMEOUT'), 8000))]);
  console.log(r);
} finally { await browser.close(); await relay.close(); }
