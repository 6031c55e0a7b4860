import { elide, hanging, paint, useColour, WIDTH, wrapWords } from '../../../drill/layout';

const chars = (s: string) => [...s].length;

test('prose wraps under its head, every line within the width, nothing lost', () => {
  const text = Array.from({ length: 60 }, (_, i) => `word${i}`).join(' ');
  const lines = hanging('  REMEDIATED: ', text);
  expect(lines.length).toBeGreaterThan(3);
  for (const line of lines) expect(chars(line)).toBeLessThanOrEqual(WIDTH);
  expect(lines.slice(1).every((l) => l.startsWith(' '.repeat('  REMEDIATED: '.length)))).toBe(true);
  expect(lines.join(' ').split(/\s+/).filter(Boolean).slice(1)).toEqual(text.split(' '));
});

test('a capped detail ends in an ellipsis on its last line; a word longer than a line is elided', () => {
  const lines = hanging('  head ', 'x '.repeat(500), 2);
  expect(lines).toHaveLength(2);
  expect(lines[1]!.endsWith('…')).toBe(true);
  expect(chars(lines[1]!)).toBeLessThanOrEqual(WIDTH);
  expect(wrapWords('a'.repeat(50), 20)).toEqual([`${'a'.repeat(19)}…`]);
  expect(elide('abcdef', 4)).toBe('abc…');
  expect(elide('abc', 4)).toBe('abc');
});

test('colour only on a terminal, and never with NO_COLOR', () => {
  expect(useColour({ isTTY: true }, {})).toBe(true);
  expect(useColour({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
  expect(useColour({ isTTY: false }, {})).toBe(false);
  expect(useColour({}, {})).toBe(false);
  expect(paint(true)('REMEDIATED', 'green')).toBe('\u001b[32mREMEDIATED\u001b[0m');
  expect(paint(false)('REMEDIATED', 'green')).toBe('REMEDIATED');
});
