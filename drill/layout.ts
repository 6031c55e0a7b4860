/**
 * The drill's text output fits a terminal of 120 columns: prose wraps under its own indent, a
 * value too long for its column is elided (`--json` keeps every value whole), and colour is used
 * only on a terminal and never when NO_COLOR is set (https://no-color.org).
 */
export const WIDTH = 120;

export const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));

/** `s` in at most `n` characters: cut, with "…" saying so. */
export function elide(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, Math.max(0, n - 1))}…`;
}

/** Words of `text` in lines of at most `width` characters (a word longer than a line is elided). */
export function wrapWords(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const w = elide(word, width);
    if (line && line.length + 1 + w.length > width) {
      lines.push(line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line || lines.length === 0) lines.push(line);
  return lines;
}

/**
 * A line of output: `head` then `text`, wrapped under the head's width, at most `maxLines` lines
 * (the last one elided when the text goes on).
 */
export function hanging(head: string, text: string, maxLines = Infinity): string[] {
  const indent = ' '.repeat(head.length);
  const lines = wrapWords(text, Math.max(20, WIDTH - head.length));
  const kept = lines.slice(0, maxLines);
  if (lines.length > maxLines) kept[kept.length - 1] = elide(`${kept[kept.length - 1]} ${lines[maxLines]}`, WIDTH - head.length);
  return kept.map((l, i) => `${i === 0 ? head : indent}${l}`.trimEnd());
}

/** Whether to colour: a terminal, and NO_COLOR unset or empty. */
export function useColour(stream: { isTTY?: boolean } = process.stdout, env: NodeJS.ProcessEnv = process.env): boolean {
  return stream.isTTY === true && !env.NO_COLOR;
}

const COLOURS = { green: 32, yellow: 33, red: 31, dim: 2, bold: 1 } as const;
export type Colour = keyof typeof COLOURS;
export type Paint = (text: string, colour: Colour) => string;

export const paint = (colour: boolean): Paint => (text, c) => (colour ? `\u001b[${COLOURS[c]}m${text}\u001b[0m` : text);
