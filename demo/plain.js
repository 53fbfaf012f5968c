// The seed-profile demo: a plain WebSocket to /ws/<nickname>. Frames in are
// {"sender","msg"}; frames out are plain text (to the room) or
// {"to_user","msg"} (private). Text reaches the page through textContent only.
const $ = (id) => document.getElementById(id);
let ws = null;
let me = '';

function line(text, className) {
  const li = document.createElement('li');
  li.textContent = text;
  if (className) li.className = className;
  const log = $('log');
  log.append(li);
  log.scrollTop = log.scrollHeight;
}

$('join').addEventListener('submit', (e) => {
  e.preventDefault();
  const nick = $('nick').value.trim();
  if (!nick) return;
  ws?.close();
  me = nick;
  const url = new URL(`/ws/${encodeURIComponent(nick)}`, location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  ws = new WebSocket(url);
  $('state').textContent = 'connecting';
  $('chat').classList.remove('hidden');
  ws.onopen = () => {
    $('state').textContent = `open as ${nick}`;
    line(`Connected to ${url.pathname}.`, 'notice');
  };
  ws.onmessage = (ev) => {
    try {
      const { sender, msg } = JSON.parse(ev.data);
      line(`${sender}: ${msg}`);
    } catch {
      line(String(ev.data), 'notice');
    }
  };
  ws.onclose = (ev) => {
    $('state').textContent = `closed (${ev.code}${ev.reason ? `: ${ev.reason}` : ''})`;
    line(`Disconnected (${ev.code}${ev.reason ? `: ${ev.reason}` : ''}).`, 'notice');
  };
});

$('composer').addEventListener('submit', (e) => {
  e.preventDefault();
  const text = $('text').value;
  const to = $('to').value.trim();
  if (!text || ws?.readyState !== WebSocket.OPEN) return;
  if (to) {
    ws.send(JSON.stringify({ to_user: to, msg: text }));
    line(`(private to ${to}) ${text}`, 'private');
  } else {
    ws.send(text);
    line(`${me}: ${text}`); // the relay sends a plain client's room message to everyone else
  }
  $('text').value = '';
});
