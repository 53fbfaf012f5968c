// The child side of lib/children.mjs: answers `{id, cmd}` requests from the
// runner, and exits by itself when the runner goes away or after its lifetime.

/**
 * Serves `handlers[cmd](params)` over IPC. A handler may return a promise.
 * `stop` is always handled: it runs `onStop` then exits normally (so that
 * `--cpu-prof` writes its profile).
 */
export function serve(handlers, { onStop = async () => {} } = {}) {
  if (!process.send) throw new Error('this script runs as a child of bench/run.mjs');
  const lifetime = Number(process.env.BENCH_CHILD_LIFETIME_MS || 15 * 60_000);
  setTimeout(() => {
    console.error(`bench child ${process.pid}: lifetime of ${lifetime} ms over, exiting`);
    process.exit(3);
  }, lifetime).unref();
  process.on('disconnect', () => process.exit(0));
  process.on('message', async (m) => {
    if (!m || typeof m.cmd !== 'string') return;
    if (m.cmd === 'stop') {
      try { await onStop(); } catch (e) { console.error(e); }
      reply(m.id, true, null);
      setTimeout(() => process.exit(0), 20);
      return;
    }
    const h = handlers[m.cmd];
    if (!h) return reply(m.id, false, undefined, `unknown command ${m.cmd}`);
    try {
      reply(m.id, true, await h(m));
    } catch (e) {
      reply(m.id, false, undefined, e && e.stack ? e.stack : String(e));
    }
  });
}

function reply(id, ok, result, error) {
  if (process.connected) process.send({ id, ok, result, error });
}

/** Tells the runner this child is ready, with whatever it needs to know. */
export function ready(info = {}) {
  process.send({ event: 'ready', ...info });
}
