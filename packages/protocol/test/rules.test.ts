import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { codePoints, isRoomName, isText, nicknameKey, normalizeNickname, shouldReconnect, CloseCode } from '@parley/protocol';

describe('normalizeNickname', () => {
  test('trims and NFC-normalizes', () => {
    assert.equal(normalizeNickname('  Ada  '), 'Ada');
    assert.equal(normalizeNickname('Jose\u0301'), 'José');
  });

  test('keeps letters of every script, symbols and single spaces', () => {
    for (const nick of ['小明', 'Ада', 'ada lovelace', 'x_y-z.9', '🙂', 'O\'Brien']) assert.equal(normalizeNickname(nick), nick);
  });

  test('refuses control, format, separator and blank-looking characters', () => {
    const bad = ['a\u034fb', 'a\ufe0f', 'a\u{e0100}', 'a\u17b4', 'a\u180b', 'a\u0000b', 'a\tb', 'a\u202eb', 'a\u200bb', 'a\u200db', 'a\u2066b', 'a\u2028b', 'a  b', '\u3164', 'a\u2800', '\ue000', 'a\ud800'];
    for (const nick of bad) assert.equal(normalizeNickname(nick), null, JSON.stringify(nick));
  });

  test('refuses empty and overlong nicknames', () => {
    assert.equal(normalizeNickname(''), null);
    assert.equal(normalizeNickname('a'.repeat(32))?.length, 32);
    assert.equal(normalizeNickname('a'.repeat(33)), null);
  });
});

describe('nicknameKey', () => {
  test('folds case and compatibility forms so look-alikes collide', () => {
    assert.equal(nicknameKey('Ada'), nicknameKey('ADA'));
    assert.equal(nicknameKey('Ada'), nicknameKey('Ａｄａ'));
    assert.notEqual(nicknameKey('Ada'), nicknameKey('Adam'));
  });
});

describe('rules', () => {
  test('counts code points, not UTF-16 units', () => {
    assert.equal(codePoints('😀😀'), 2);
    assert.equal(codePoints('abc'), 3);
    assert.equal(codePoints('\ud800'), 1);
  });

  test('accepts room names of letters, digits, _ and -', () => {
    assert.ok(isRoomName('lobby'));
    assert.ok(isRoomName('Room_2-b'));
    assert.ok(!isRoomName('a.b'));
    assert.ok(!isRoomName(''));
  });

  test('accepts texts of 1 to 4000 well-formed code points', () => {
    assert.ok(isText('hi'));
    assert.ok(!isText(''));
    assert.ok(!isText('\udc00'));
    assert.ok(!isText(42));
  });
});

describe('shouldReconnect', () => {
  test('says retry for the retry range, going away and abnormal closes', () => {
    for (const code of [1001, 1006, 1011, 1012, 4000, 4001, 4004, 4499]) assert.ok(shouldReconnect(code), String(code));
  });

  test('says stop for a normal close, policy, too big and the fatal range', () => {
    for (const code of [1000, 1008, 1009, CloseCode.AuthFailed, CloseCode.Replaced, 4999]) assert.ok(!shouldReconnect(code), String(code));
  });
});
