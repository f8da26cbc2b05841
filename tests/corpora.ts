/**
 * Where the tests' public corpora are: the full files in ../shared/corpora
 * (or $CODERL_CORPORA) when present, else the small slices in
 * fixtures/corpora, so that `npm test` passes on a fresh clone. Each test
 * that reads a corpus logs which one it used (note()).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, from tests/ or from the compiled dist/tests/. */
function repositoryRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return dir;
}

export const REPO_ROOT = repositoryRoot();
export const SHARED_CORPORA = process.env.CODERL_CORPORA ?? resolve(REPO_ROOT, '../shared/corpora');
/** True when the full corpora are beside the repository. */
export const HAS_SHARED = existsSync(SHARED_CORPORA);
export const SLICES = join(REPO_ROOT, 'fixtures/corpora');
/** The folder tests read: full corpora if present, else the slices. */
export const CORPORA = HAS_SHARED ? SHARED_CORPORA : SLICES;

export function corpusPath(name: string): string {
  return join(CORPORA, name);
}

export function readCorpus<T = Record<string, any>>(name: string): T[] {
  return readFileSync(corpusPath(name), 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as T);
}

/** The full-corpus figure when the full corpus is here, else the slice's. */
export function full<T>(fullValue: T, sliceValue: T): T {
  return HAS_SHARED ? fullValue : sliceValue;
}

const noted = new Set<string>();
/** Say, once per corpus file, which data a test ran on. */
export function note(name: string): void {
  if (noted.has(name)) return;
  noted.add(name);
  console.log(HAS_SHARED ? `[corpora] ${name}: full corpus in ${SHARED_CORPORA}`
    : `[corpora] ${name}: ${SHARED_CORPORA} is absent; using the slice fixtures/corpora/${name} (full-corpus checks skipped)`);
}
