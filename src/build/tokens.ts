/**
 * Approximate token count for --max-prompt-tokens: BPE tokenizers of code
 * models average ~3.5 characters per token on English and code; words and
 * punctuation runs give a count that errs on the high side, which is the
 * safe side for a length limit.
 */
export function approxTokens(text: string): number {
  const pieces = text.match(/[\p{L}\p{N}_]+|\s+|[^\s\p{L}\p{N}_]/gu) ?? [];
  let tokens = 0;
  for (const piece of pieces) {
    if (/^\s+$/.test(piece)) tokens += piece.includes('\n') ? 1 : 0;
    else tokens += Math.max(1, Math.ceil(piece.length / 4));
  }
  return tokens;
}
