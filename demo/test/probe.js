// Test probe for the fixture pages in this folder (used by the widget's
// browser tests, which load these pages in an iframe from another origin).
// Records errors and CSP violations from the start, and answers its parent's
// questions about the page's <chat-widget> through postMessage. It only
// answers a parent on localhost or 127.0.0.1, so a page served by a public
// relay cannot be driven by another site.
(function () {
  const errors = [];
  const violations = [];
  addEventListener('error', (e) => errors.push(String(e.message || e.type)));
  addEventListener('unhandledrejection', (e) => errors.push(`unhandled rejection: ${String(e.reason && (e.reason.message || e.reason.code || e.reason))}`));
  document.addEventListener('securitypolicyviolation', (e) => violations.push(`${e.violatedDirective} ${e.blockedURI}`));

  const widgets = () => [...document.querySelectorAll('chat-widget')];
  const commands = {
    state() {
      return {
        defined: !!customElements.get('chat-widget'),
        errors,
        violations,
        widgets: widgets().map((w) => {
          const root = w.shadowRoot;
          const launcher = root && root.querySelector('[part=launcher]');
          const rect = launcher ? launcher.getBoundingClientRect() : null;
          const panel = root && root.querySelector('[part=panel]');
          const panelRect = panel && !panel.hidden ? panel.getBoundingClientRect() : null;
          return {
            attributes: Object.fromEntries([...w.attributes].map((a) => [a.name, a.value])),
            status: w.status,
            user: w.user,
            opened: w.opened,
            adoptedSheets: root ? root.adoptedStyleSheets.length : 0,
            launcher: rect && { width: rect.width, height: rect.height, left: rect.left, position: getComputedStyle(launcher).position },
            launcherLabel: launcher && launcher.getAttribute('aria-label'),
            panel: panelRect && { top: panelRect.top, left: panelRect.left, width: panelRect.width, height: panelRect.height },
            viewport: { width: innerWidth, height: innerHeight },
            title: root && root.querySelector('#title') && root.querySelector('#title').textContent,
            bubbles: root ? [...root.querySelectorAll('.bubble')].map((b) => b.textContent) : [],
          };
        }),
      };
    },
    open() {
      widgets()[0].open();
      return true;
    },
    /** Tries an inline style element: a strict CSP must refuse it (and report a violation). */
    inlineStyle() {
      const style = document.createElement('style');
      style.textContent = 'body { outline: 1px solid red; }';
      document.head.append(style);
      return true;
    },
    send(text) {
      return widgets()[0].send(text).then((ack) => ack.seq);
    },
  };

  addEventListener('message', (e) => {
    let origin;
    try {
      origin = new URL(e.origin).hostname;
    } catch {
      return;
    }
    if (e.source !== parent || (origin !== 'localhost' && origin !== '127.0.0.1')) return;
    const { id, cmd, arg } = e.data || {};
    if (!commands[cmd]) return;
    Promise.resolve()
      .then(() => commands[cmd](arg))
      .then(
        (result) => parent.postMessage({ id, result }, e.origin),
        (err) => parent.postMessage({ id, error: String(err && (err.message || err.code || err)) }, e.origin),
      );
  });
})();
