// The protocol ships inside the browser bundle: its validation must behave the
// same in Chromium as in Node (Unicode property escapes, lookbehind, NFC/NFKC).
import { expect } from 'chai';
import { decodeServerFrame, isText, MAX_TEXT_LENGTH, encode, encodeBatch, nicknameKey, normalizeNickname, type ServerMessage } from '@parley/protocol';

describe('protocol in the browser', () => {
  it('decodes a batched relay frame into typed envelopes', () => {
    const msg: ServerMessage = { type: 'msg', room: 'lobby', id: 'm1', seq: 1, ts: 1, from: 'ada', name: 'ada', text: 'hi\nthere' };
    const results = decodeServerFrame(encodeBatch([encode(msg), encode({ type: 'pong' })]));
    expect(results).to.deep.equal([
      { ok: true, value: msg },
      { ok: true, value: { type: 'pong' } },
    ]);
  });

  it('refuses garbage without throwing', () => {
    for (const frame of ['', '{', '[]', '{"type":"nope"}', '{"type":"msg"}', '\u0000']) {
      expect(decodeServerFrame(frame)[0]!.ok, frame).to.equal(false);
    }
  });

  it('applies the nickname rules', () => {
    expect(normalizeNickname(' 小明 ')).to.equal('小明');
    expect(normalizeNickname('a\u202eb')).to.equal(null);
    expect(normalizeNickname('a\u200bb')).to.equal(null);
    expect(nicknameKey('Ａｄａ')).to.equal(nicknameKey('ada'));
  });

  it('refuses texts with lone surrogates, counting code points', () => {
    expect(isText('\ud800')).to.equal(false);
    expect(isText('a\udc00')).to.equal(false);
    expect(isText('😀'.repeat(MAX_TEXT_LENGTH))).to.equal(true);
    expect(isText('😀'.repeat(MAX_TEXT_LENGTH + 1))).to.equal(false);
  });
});
