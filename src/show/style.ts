/**
 * Colours (ANSI, only when asked: a terminal, or --color) and the
 * shortening of long values, shared by the views of `show`.
 */
export interface Style {
  dim(s: string): string;
  bold(s: string): string;
  name(s: string): string;
  count(s: string): string;
  ok(s: string): string;
  error(s: string): string;
  target(s: string): string;
}

const ansi = (code: string) => (s: string) => `\x1b[${code}m${s}\x1b[0m`;

export function makeStyle(color: boolean): Style {
  if (!color) {
    const plain = (s: string) => s;
    return { dim: plain, bold: plain, name: plain, count: plain, ok: plain, error: plain, target: plain };
  }
  return { dim: ansi('2'), bold: ansi('1'), name: ansi('36'), count: ansi('33'), ok: ansi('32'), error: ansi('31'), target: ansi('1;35') };
}

/** The visible marker of a shortened value. */
export const CUT = '…';

/** One line, at most `max` characters: newlines shown as \n, the rest cut with CUT. */
export function shorten(text: string, max: number): string {
  const one = text.replace(/\n/g, '\\n');
  return one.length <= max ? one : one.slice(0, Math.max(1, max - 1)) + CUT;
}

/** Display width without the colour codes. */
export function visibleLength(s: string): number {
  return s.replace(/\x1b\[[0-9;]*m/g, '').length;
}
