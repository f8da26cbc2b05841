/**
 * Loads web-tree-sitter and the .wasm grammars shipped inside the
 * tree-sitter-python / tree-sitter-javascript packages (no native addon).
 * Parsers are created once per language and reused; callers must
 * `.delete()` every Tree they get, since wasm memory is not garbage collected.
 * The library itself is loaded on first use too: a process that instruments
 * nothing (a plain run, a probe) does not pay for it, and one that does
 * starts its executors first.
 */
import type { Parser, Tree } from 'web-tree-sitter';
import { createRequire } from 'node:module';
import type { Language } from '../model/trace.js';

const require = createRequire(import.meta.url);

const GRAMMAR_FILES: Record<Language, string> = {
  python: 'tree-sitter-python/tree-sitter-python.wasm',
  javascript: 'tree-sitter-javascript/tree-sitter-javascript.wasm',
};

let initialised: Promise<void> | null = null;
const parsers = new Map<Language, Promise<Parser>>();

export function getParser(language: Language): Promise<Parser> {
  let parser = parsers.get(language);
  if (!parser) {
    parser = (async () => {
      const { Parser, Language: Grammar } = await import('web-tree-sitter');
      initialised ??= Parser.init();
      await initialised;
      const grammar = await Grammar.load(require.resolve(GRAMMAR_FILES[language]));
      const p = new Parser();
      p.setLanguage(grammar);
      return p;
    })();
    parsers.set(language, parser);
  }
  return parser;
}

/** Parse, hand the tree to `use`, and always free it. */
export async function withTree<T>(language: Language, source: string, use: (tree: Tree) => T): Promise<T> {
  const parser = await getParser(language);
  const tree = parser.parse(source);
  if (!tree) throw new Error(`tree-sitter returned no tree for ${language} source`);
  try {
    return use(tree);
  } finally {
    tree.delete();
  }
}
