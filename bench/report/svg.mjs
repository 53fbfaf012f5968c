// The chart for docs/benchmarks.svg, written by hand (no chart dependency):
// fan-out deliveries/s per implementation and receivers count, fixed-rate
// p99 latency, acked ingest per store, and idle memory per connection.
import { summarizeFanout, summarizeLatency, summarizeIngest, summarizeIdle, TARGETS } from './summary.mjs';
import { short } from './format.mjs';
import { PARLEY_STORES, peerOfStore } from '../peers/parley-stores.mjs';

const parleyPeers = Object.entries(PARLEY_STORES).map(([key, s]) => [peerOfStore(key), s]);
/** Bar colour per implementation. */
export const COLORS = { ws: '#8a8f98', socketio: '#3867b5', ...Object.fromEntries(parleyPeers.map(([p, s]) => [p, s.color])) };
const LABELS = { ws: 'bare ws', socketio: 'Socket.IO', ...Object.fromEntries(parleyPeers.map(([p, s]) => [p, s.label])) };

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Rounds `max` up to 1, 2 or 5 × 10^n for a clean axis. */
function niceMax(max) {
  if (!(max > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 5, 10]) if (m * p >= max) return m * p;
  return 10 * p;
}

/**
 * One panel of grouped bars. `groups`: [{name, bars: [{key, value, label}]}].
 */
function panel({ x, y, w, h, title, subtitle, groups, fmt }) {
  const top = y + 44;
  const bottom = y + h - 30;
  const plotH = bottom - top;
  const max = niceMax(Math.max(...groups.flatMap((g) => g.bars.map((b) => b.value)).filter(Number.isFinite), 0));
  const out = [];
  out.push(`<text x="${x}" y="${y + 16}" class="title">${esc(title)}</text>`);
  if (subtitle) out.push(`<text x="${x}" y="${y + 32}" class="sub">${esc(subtitle)}</text>`);
  for (let i = 0; i <= 4; i++) {
    const v = (max * i) / 4;
    const yy = bottom - (plotH * i) / 4;
    out.push(`<line x1="${x + 40}" x2="${x + w}" y1="${yy}" y2="${yy}" class="grid"/>`);
    out.push(`<text x="${x + 36}" y="${yy + 4}" class="axis" text-anchor="end">${esc(fmt(v, true))}</text>`);
  }
  const gw = (w - 50) / Math.max(1, groups.length);
  groups.forEach((g, gi) => {
    const n = g.bars.length;
    const bw = Math.min(34, (gw - 14) / Math.max(1, n));
    const gx = x + 46 + gi * gw + (gw - bw * n) / 2;
    g.bars.forEach((b, bi) => {
      if (!Number.isFinite(b.value)) return;
      const bh = Math.max(1, (plotH * b.value) / max);
      const bx = gx + bi * bw;
      out.push(`<rect x="${bx.toFixed(1)}" y="${(bottom - bh).toFixed(1)}" width="${(bw - 3).toFixed(1)}" height="${bh.toFixed(1)}" fill="${COLORS[b.key]}"><title>${esc(`${LABELS[b.key]}${g.name ? `, ${g.name}` : ''}: ${b.label ?? fmt(b.value)}`)}</title></rect>`);
      out.push(`<text x="${(bx + (bw - 3) / 2).toFixed(1)}" y="${(bottom - bh - 3).toFixed(1)}" class="val" text-anchor="middle">${esc(b.label ?? fmt(b.value))}</text>`);
    });
    if (g.name) out.push(`<text x="${(x + 46 + gi * gw + gw / 2).toFixed(1)}" y="${bottom + 16}" class="axis" text-anchor="middle">${esc(g.name)}</text>`);
  });
  return out.join('\n');
}

/** The whole chart as an SVG document. */
export function renderSvg(results) {
  const W = 1300;
  const H = 330;
  const parts = [];
  const fan = summarizeFanout(results.fanout || []).sort((a, b) => a.receivers - b.receivers);
  if (fan.length) {
    parts.push(panel({
      x: 10, y: 10, w: 400, h: H - 50,
      title: 'Fan-out deliveries per second',
      subtitle: 'higher is better; max rate, one room, by number of receivers',
      groups: fan.map((f) => ({ name: `${f.receivers} receivers`, bars: f.rows.map((r) => ({ key: r.peer, value: r.best.perSecond })) })),
      fmt: (v) => short(v),
    }));
  }
  const lat = results.latency?.length ? summarizeLatency(results.latency) : undefined;
  if (lat) {
    const b = lat.rows[0]?.best;
    parts.push(panel({
      x: 430, y: 10, w: 270, h: H - 50,
      title: 'Fixed-rate latency p99, ms',
      subtitle: `lower is better; ${b.rate} msgs/s × ${b.receivers} receivers`,
      groups: [{ name: '', bars: lat.rows.map((r) => ({ key: r.peer, value: r.best.p99, label: r.best.p99.toFixed(1) })) }],
      fmt: (v, axis) => (axis ? String(+v.toFixed(1)) : v.toFixed(1)),
    }));
  }
  const ing = results.ingest?.length ? summarizeIngest(results.ingest) : undefined;
  if (ing) {
    const b = ing.rows[0].best;
    parts.push(panel({
      x: 1020, y: 10, w: 270, h: H - 50,
      title: 'Acked ingest, messages/s',
      subtitle: `higher is better; ${b.senders} senders, ${b.rooms} rooms; goal ${short(TARGETS.sqliteIngest)} on SQLite`,
      groups: [{ name: '', bars: ing.rows.map((r) => ({ key: r.peer, value: r.best.perSecond })) }],
      fmt: (v) => short(v),
    }));
  }
  const idle = results.idle?.length ? summarizeIdle(results.idle) : undefined;
  if (idle) {
    parts.push(panel({
      x: 720, y: 10, w: 290, h: H - 50,
      title: 'Idle memory per connection, kB',
      subtitle: `lower is better; ${idle.rows[0].count.toLocaleString('en-US')} connections, after GC, median`,
      groups: [
        { name: 'RSS', bars: idle.rows.map((r) => ({ key: r.peer, value: r.rssPerConn / 1000, label: (r.rssPerConn / 1000).toFixed(1) })) },
        { name: 'V8 heap', bars: idle.rows.map((r) => ({ key: r.peer, value: r.heapPerConn / 1000, label: (r.heapPerConn / 1000).toFixed(1) })) },
      ],
      fmt: (v, axis) => (axis ? String(+v.toFixed(1)) : v.toFixed(1)),
    }));
  }
  const peers = Object.keys(COLORS).filter((k) => [...(results.fanout || []), ...(results.latency || []), ...(results.ingest || []), ...(results.idle || [])].some((r) => r.peer === k));
  const legend = peers.map((k, i) => `<rect x="${20 + i * 120}" y="${H - 24}" width="12" height="12" fill="${COLORS[k]}"/><text x="${36 + i * 120}" y="${H - 14}" class="axis">${LABELS[k]}</text>`).join('\n');
  const note = `<text x="${W - 10}" y="${H - 14}" class="sub" text-anchor="end">${esc(`${results.date?.slice(0, 10) ?? ''} · ${results.machine?.cores ?? '?'} cores · Node ${results.machine?.node ?? ''} · ${results.config?.name ?? ''} run`)}</text>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, -apple-system, Segoe UI, sans-serif">
<style>
  .title { font-size: 13px; font-weight: 600; fill: #222; }
  .sub { font-size: 11px; fill: #666; }
  .axis { font-size: 10px; fill: #555; }
  .val { font-size: 9.5px; fill: #222; }
  .grid { stroke: #e3e3e3; stroke-width: 1; }
</style>
<rect width="100%" height="100%" fill="#fff"/>
${parts.join('\n')}
${legend}
${note}
</svg>
`;
}
