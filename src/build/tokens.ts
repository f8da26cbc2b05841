/**
 * Prompt length for --max-prompt-tokens.
 *
 * Exact when given a Hugging Face tokenizer.json (`--tokenizer FILE`, read
 * by @huggingface/tokenizers, a dependency-free JS port of the Rust
 * library; a tokenizer_config.json beside it is used when present). The
 * count is of the prompt text itself, without special tokens: the trainer's
 * chat template adds a fixed number on top.
 *
 * Otherwise approximate: words and punctuation runs, ~4 characters per
 * token for long words, which errs on the high side for English and code
 * under the BPE vocabularies of code models (the safe side for a limit).
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { InputError } from '../errors.js';

export type TokenCounter = (text: string) => number;

export function approxTokens(text: string): number {
  const pieces = text.match(/[\p{L}\p{N}_]+|\s+|[^\s\p{L}\p{N}_]/gu) ?? [];
  let tokens = 0;
  for (const piece of pieces) {
    if (/^\s+$/.test(piece)) tokens += piece.includes('\n') ? 1 : 0;
    else tokens += Math.max(1, Math.ceil(piece.length / 4));
  }
  return tokens;
}

export async function loadTokenCounter(tokenizerPath: string | undefined): Promise<TokenCounter> {
  if (tokenizerPath === undefined) return approxTokens;
  const json = await readJson(tokenizerPath, true);
  const config = (await readJson(join(dirname(tokenizerPath), 'tokenizer_config.json'), false)) ?? {};
  let tokenizer: Tokenizer;
  try {
    tokenizer = new Tokenizer(json as object, config as object);
  } catch (err) {
    throw new InputError(`${tokenizerPath} is not a tokenizer.json this tool can load: ${(err as Error).message}`);
  }
  return (text) => tokenizer.encode(text, { add_special_tokens: false }).ids.length;
}

async function readJson(path: string, required: boolean): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if (!required) return null;
    throw new InputError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new InputError(`${path} is not valid JSON: ${(err as Error).message}`);
  }
}
