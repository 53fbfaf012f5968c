// The SDK demo: @parley/client with a hand-made UI. No framework, no innerHTML:
// every piece of text a user wrote goes into the page through textContent.
// Served as a file (not inline) so the page works under a strict CSP.
import { createClient } from '/parley-client.js';

const ROOM = 'lobby';
const url = new URL('/chat', location.href);
url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
// Fail-over: `sdk.html?relays=localhost:8081,localhost:8082` gives the SDK a list of relays
// (sharing one Redis, see docs/operations.md); it moves to the next one when a relay goes away.
const relays = (new URLSearchParams(location.search).get('relays') ?? '')
  .split(',')
  .map((host) => host.trim())
  .filter(Boolean)
  .map((host) => `${url.protocol}//${host}/chat`);

const $ = (id) => document.getElementById(id);
let client = null;
let members = [];

function line(parts, className) {
  const li = document.createElement('li');
  if (className) li.className = className;
  for (const [text, cls] of parts) {
    const span = document.createElement('span');
    span.textContent = text;
    if (cls) span.className = cls;
    li.append(span);
  }
  const log = $('log');
  const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 30;
  log.append(li);
  if (atBottom) log.scrollTop = log.scrollHeight;
  return li;
}

function time(ts) {
  return new Date(ts).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

function renderMembers() {
  $('online').textContent = members.map((m) => m.name).join(', ');
  const to = $('to');
  const chosen = to.value;
  to.replaceChildren(new Option(`everyone in #${ROOM}`, ''));
  for (const m of members) if (m.id !== client?.user?.id) to.append(new Option(`${m.name} (private)`, m.id));
  to.value = members.some((m) => m.id === chosen) ? chosen : '';
}

function start(nick) {
  client?.close();
  client = createClient({ url: relays.length ? relays : url.href, nick, rooms: [ROOM], storageKey: `parley-sdk-demo:${nick}` });
  client.on('status', (e) => ($('state').textContent = e.reason ? `${e.to} (${e.reason})` : e.to));
  client.on('welcome', async ({ user }) => {
    $('join').classList.add('hidden');
    $('chat').classList.remove('hidden');
    $('join-error').textContent = '';
    $('log').replaceChildren();
    line([[`Connected as ${user.name}.`]], 'notice');
    const page = await client.history(ROOM, { limit: 20 });
    for (const m of page.messages.reverse()) line([[`${time(m.ts)} `], [m.name, 'who'], [`: ${m.text}`]]);
  });
  client.on('message', (m) => line([[`${time(m.ts)} `], [m.name, 'who'], [`: ${m.text}`]]));
  client.on('direct', (m) => line([[`${time(m.ts)} `], [`${m.name} → ${m.to}`, 'who'], [`: ${m.text}`]], 'private'));
  client.on('members', (e) => {
    members = e.members;
    renderMembers();
  });
  client.on('presence', (p) => {
    members = members.filter((m) => m.id !== p.user.id);
    if (p.event === 'join') members.push(p.user);
    renderMembers();
    line([[`${p.user.name} ${p.event === 'join' ? 'joined' : 'left'}`]], 'notice');
  });
  client.on('error', (e) => {
    if (e.ref === 'hello') $('join-error').textContent = `${e.code}: ${e.message}`;
    else line([[`error ${e.code}: ${e.message}`]], 'notice');
  });
  client.connect();
}

$('join').addEventListener('submit', (e) => {
  e.preventDefault();
  start($('nick').value.trim());
});

$('composer').addEventListener('submit', (e) => {
  e.preventDefault();
  const text = $('text').value;
  if (!text.trim() || !client) return;
  const to = $('to').value;
  const sent = to ? client.sendDirect(to, text) : client.send(ROOM, text);
  sent.catch((err) => line([[`not sent (${err.code}): ${text}`]], 'notice'));
  $('text').value = '';
});
