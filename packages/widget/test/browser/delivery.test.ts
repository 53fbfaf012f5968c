// One's own messages are followed by the cid the client gave each send, never
// by their text: two identical texts sent quickly each end up with their own
// ack (or refusal), whatever order the relay's answers and echoes come in.
import { expect } from 'chai';
import type { ChatWidget } from '@parley/widget';
import { $$, cleanup, connected, unique, until } from './helpers.js';

type Envelope = Record<string, unknown> & { type: string };

/**
 * A hand on the wire of the widgets that connect while it is installed (a
 * widget's client takes the page's `WebSocket` when it is created): `outgoing`
 * may rewrite each envelope a widget sends, and each envelope from the relay
 * that `hold` picks waits until `release()`.
 */
function tapWire() {
  const Real = window.WebSocket;
  const tap = {
    outgoing: (e: Envelope): Envelope => e,
    hold: (_e: Envelope): boolean => false,
    /** Envelopes from the relay handed to the client so far. */
    delivered: [] as Envelope[],
    waiting: [] as Array<() => void>,
    /** Hands the newest socket's client an envelope as if the relay had sent it. */
    inject: (_e: Envelope): void => {
      throw new Error('no socket yet');
    },
    /** Hands over what was held, in the order it came, and holds nothing more. */
    release(): void {
      tap.hold = () => false;
      tap.waiting.splice(0).forEach((deliver) => deliver());
    },
    uninstall(): void {
      window.WebSocket = Real;
    },
  };
  const each = (data: string, fn: (e: Envelope) => Envelope): string =>
    data.split('\n').map((line) => JSON.stringify(fn(JSON.parse(line) as Envelope))).join('\n');
  class Tapped extends Real {
    override send(data: string): void {
      super.send(each(data, (e) => tap.outgoing(e)));
    }
    override set onmessage(handler: ((e: MessageEvent) => void) | null) {
      if (handler) tap.inject = (e) => handler.call(this, { data: JSON.stringify(e) } as MessageEvent);
      super.onmessage = handler && ((frame: MessageEvent) => {
        for (const line of String(frame.data).split('\n')) {
          const e = JSON.parse(line) as Envelope;
          const deliver = (): void => {
            tap.delivered.push(e);
            handler.call(this, { data: line } as MessageEvent);
          };
          if (tap.hold(e)) tap.waiting.push(deliver);
          else deliver();
        }
      });
    }
    override get onmessage() {
      return super.onmessage;
    }
  }
  window.WebSocket = Tapped;
  return tap;
}

/** A connected, open widget in `room` whose socket is tapped (the tap is installed only while it connects). */
async function tappedWidget(room: string): Promise<{ ada: ChatWidget; tap: ReturnType<typeof tapWire> }> {
  const tap = tapWire();
  try {
    return { ada: await connected({ room, nickname: unique('ada'), open: true }), tap };
  } finally {
    tap.uninstall();
  }
}

/** The delivery state of each of one's own messages on screen, in order: `sending`, `sent` or `failed`. */
const states = (el: ChatWidget): string[] =>
  $$(el, '.msg.own').map((m) => (m.querySelector('.failed') ? 'failed' : m.querySelector('[data-state]')!.getAttribute('data-state')!));

describe('own messages', () => {
  afterEach(cleanup);

  it('matches two identical texts sent quickly each to its own ack, when the relay refuses one and the echo comes before the answers', async () => {
    const room = unique('r');
    const { ada, tap } = await tappedWidget(room);
    // the first of the two goes to a room ada is not in (the relay refuses it), and the relay's answers wait
    let sends = 0;
    tap.outgoing = (e) => (e.type === 'send' && ++sends === 1 ? { ...e, room: `${room}-elsewhere` } : e);
    tap.hold = (e) => e.type === 'ack' || e.type === 'error';
    const first = ada.send('same text');
    const second = ada.send('same text');
    const refusal = first.then(
      () => null,
      (e: { code: string }) => e.code,
    );

    // the relay's echo of the second send arrives before either answer
    await until(() => tap.delivered.some((e) => e.type === 'msg' && e.text === 'same text'), 'the echo of the accepted one');
    await ada.updateComplete;
    expect(states(ada)).to.deep.equal(['sending', 'sending'], 'an echo says nothing of which send it is: both still wait for their ack');

    tap.release();
    const ack = await second;
    expect(await refusal).to.equal('not_in_room');
    await until(() => states(ada).join() === 'sent,failed', 'the accepted one sent, the refused one not sent');
    const [sent, failed] = $$(ada, '.msg.own');
    expect(sent!.querySelector('.bubble')!.textContent).to.equal('same text');
    expect(failed!.querySelector('.bubble')!.textContent).to.equal('same text');
    expect(sent!.querySelector('time')!.getAttribute('datetime')).to.equal(new Date(ack.ts).toISOString(), 'the sent one carries its own ack');
  });

  it('shows its own message sent from elsewhere (no ack here claims it) once its own sends have their answers', async () => {
    const room = unique('r');
    const { ada, tap } = await tappedWidget(room);
    tap.hold = (e) => e.type === 'ack';
    const sending = ada.send('from this tab');
    const echo = await until(() => tap.delivered.find((e) => e.type === 'msg'), 'the echo of this tab\'s send');
    // the same user writes from another tab: its message reaches this one too, with no ack here
    tap.inject({ ...echo, id: 'm_other_tab', seq: (echo.seq as number) + 1, text: 'from another tab' });
    await ada.updateComplete;
    expect(states(ada)).to.deep.equal(['sending'], 'while a send waits, an own message waits with it');
    tap.release();
    await sending;
    await until(() => states(ada).join() === 'sent,sent', 'both shown as sent');
    expect($$(ada, '.msg.own .bubble').map((b) => b.textContent)).to.deep.equal(['from this tab', 'from another tab']);
  });
});
