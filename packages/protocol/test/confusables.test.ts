import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CONFUSABLES, mixesScripts, nicknameKey, normalizeNickname, scriptsOf, skeleton } from '@parley/protocol';

/** Pairs that look alike: each must share a key with the first. */
const ALIKE: ReadonlyArray<readonly [string, string, string]> = [
  ['ada', '\u0430\u0501\u0430', 'Cyrillic а and ԁ'],
  ['ape', '\u0430\u0440\u0435', 'Cyrillic а р е'],
  ['ape', '\u03b1\u03c1\u03b5', 'Greek α ρ ε'],
  ['ape', '\u0391\u03a1\u0395', 'Greek capitals Α Ρ Ε'],
  ['ape', '\ua4ee\ua4d1\ua4f0', 'Lisu'],
  ['bob', '\u0412\u041e\u0412', 'Cyrillic capitals В О В'],
  ['kate', '\u043a\u0430\u0442\u0435', 'Cyrillic к а т е'],
  ['sock', '\u0455\u043e\u0441\u043a', 'Cyrillic ѕ о с к'],
  ['xyz', '\u0445\u0443\u03b6', 'Cyrillic х у and Greek ζ'],
  ['lida', '\u0131\u0131da', 'dotless ı, twice'],
  ['lida', 'IIDA', 'capital I is i is l'],
  ['lida', '1|da', 'one and bar'],
  ['lida', '\u04cf\u0456da', 'Cyrillic palochka and і'],
  ['robot', 'r0b0t', 'zero for o'],
  ['hugo', '\u0570\u057d\u0581\u0585', 'Armenian հ ս ց օ'],
  ['dave', '\u13a0\u13aa\u13d9\u13ac', 'Cherokee Ꭰ Ꭺ Ꮩ Ꭼ'],
  ['jo', '\u0458\u03bf', 'Cyrillic ј and Greek ο'],
  ['ada', 'Ａｄａ', 'full width'],
  ['ada', '\u{1d41a}\u{1d41d}\u{1d41a}', 'mathematical bold'],
  ['ada', 'ⓐⓓⓐ', 'circled'],
  ['zoë', 'zo\u0435\u0308', 'Cyrillic е with a combining diaeresis'],
];

/** Pairs that do not look alike: each must keep its own key. */
const APART: ReadonlyArray<readonly [string, string]> = [
  ['ada', 'adam'],
  ['ade', 'adé'],
  ['ana', 'anna'],
  ['ada', 'ада'],
  ['小明', '小朋'],
  ['burn', 'bum'],
];

describe('skeleton and nicknameKey', () => {
  test('gives look-alikes from other scripts, widths and styles one key', () => {
    for (const [plain, alike, what] of ALIKE) assert.equal(nicknameKey(alike), nicknameKey(plain), what);
  });

  test('keeps names apart that do not look alike, marks included', () => {
    for (const [x, y] of APART) assert.notEqual(nicknameKey(x), nicknameKey(y), `${x} / ${y}`);
  });

  test('stays case-insensitive: a name and its capitals share a key in every listed script', () => {
    for (const alikes of Object.values(CONFUSABLES)) {
      for (const ch of alikes) assert.equal(nicknameKey(ch.toUpperCase()), nicknameKey(ch.toLowerCase()), `U+${ch.codePointAt(0)!.toString(16)}`);
    }
  });

  test('maps every listed look-alike to its Latin letter, each listed once', () => {
    const seen = new Map<string, string>();
    for (const [letter, alikes] of Object.entries(CONFUSABLES)) {
      for (const ch of alikes) {
        assert.equal(skeleton(ch.toLowerCase()), letter, `U+${ch.codePointAt(0)!.toString(16)}`);
        assert.equal(seen.get(ch), undefined, `U+${ch.codePointAt(0)!.toString(16)} listed twice`);
        seen.set(ch, letter);
      }
    }
  });
});

describe('mixesScripts', () => {
  test('finds a word that mixes Latin with Cyrillic, Greek or other look-alike scripts', () => {
    for (const name of ['\u0430da', 'Gr\u0430ce', '\u03b1lan', 'Zo\u0435 Smith', 'ab\ua4ee', 'Ivan\u0418', 'x\u0570']) assert.ok(mixesScripts(name), name);
  });

  test('lets each word have its own script, and Japanese, Chinese and Korean mix as they are written', () => {
    for (const name of ['Ivan Иванов', 'Ada 李', '東京タワー', 'ひらがなカタカナ漢字', 'iPhone用', 'ㄅㄆ中文', '한국漢字', 'ada_99!', 'José']) assert.ok(!mixesScripts(name), name);
  });

  test('counts letters only: digits, symbols and marks belong to every script', () => {
    assert.deepEqual([...scriptsOf('ад-1🙂\u0301')], ['Cyrillic']);
  });

  test('is part of the nickname rules', () => {
    assert.equal(normalizeNickname('Gr\u0430ce'), null);
    assert.equal(normalizeNickname('Grace Иванова'), 'Grace Иванова');
  });
});
