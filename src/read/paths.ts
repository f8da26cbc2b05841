/**
 * Turn the command line's input arguments into a list of files, up front,
 * so a typo fails before any work: `-` (stdin), files, directories (a verl
 * `rollout_data_dir` or TRL `completions/` dir: its *.jsonl / *.parquet
 * files), and glob patterns the shell did not expand (quoted). Node 20 has
 * no fs.glob, so a small matcher handles `*`, `?`, `[...]` and `**`.
 * Listings are in natural order (2.jsonl before 10.jsonl), so output order
 * follows training steps and never depends on the file system.
 */
import { readdirSync, statSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../errors.js';

const DATA_FILE = /\.(jsonl|ndjson|json|parquet)$/i;
const GLOB_CHARS = /[*?[]/;

export function expandPaths(paths: readonly string[]): string[] {
  if (paths.length === 0) throw new InputError('no input files given (use - for stdin)');
  const out: string[] = [];
  for (const p of paths) {
    if (p === '-') {
      out.push(p);
      continue;
    }
    const st = statOrNull(p);
    if (st?.isDirectory()) {
      const files = listDir(p).filter((name) => DATA_FILE.test(name) && statOrNull(join(p, name))?.isFile());
      if (files.length === 0) throw new InputError(`directory ${p} has no .jsonl or .parquet files`);
      out.push(...files.map((name) => join(p, name)));
    } else if (st) {
      out.push(p);
    } else if (GLOB_CHARS.test(p)) {
      const matches = glob(p);
      if (matches.length === 0) throw new InputError(`no file matches ${p}`);
      out.push(...matches);
    } else {
      throw new InputError(`no such file: ${p}`);
    }
  }
  return out;
}

function statOrNull(p: string): Stats | null {
  try {
    return statSync(p);
  } catch {
    return null;
  }
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir).sort(naturalCompare);
  } catch {
    return [];
  }
}

export function glob(pattern: string): string[] {
  const absolute = pattern.startsWith('/');
  const segments = pattern.split('/').filter((s) => s !== '');
  let bases = [absolute ? '/' : '.'];
  segments.forEach((segment, i) => {
    const last = i === segments.length - 1;
    const next: string[] = [];
    for (const base of bases) {
      if (segment === '**') {
        next.push(...descendants(base));
      } else if (!GLOB_CHARS.test(segment)) {
        const p = join(base, segment);
        if (statOrNull(p)) next.push(p);
      } else {
        const re = segmentRegex(segment);
        for (const name of listDir(base)) {
          if (name.startsWith('.') && !segment.startsWith('.')) continue;
          if (re.test(name)) next.push(join(base, name));
        }
      }
    }
    bases = last ? next.filter((p) => statOrNull(p)?.isFile()) : next.filter((p) => statOrNull(p)?.isDirectory());
  });
  return [...new Set(bases)];
}

/** The directory itself and every directory below it (`**`), in natural order. */
function descendants(dir: string): string[] {
  const out = [dir];
  for (const name of listDir(dir)) {
    if (name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statOrNull(p)?.isDirectory()) out.push(...descendants(p));
  }
  return out;
}

function segmentRegex(segment: string): RegExp {
  let re = '';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i];
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = segment.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        re += '[' + segment.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\') + ']';
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** Compare with digit runs as numbers: step 2 before step 10. */
export function naturalCompare(a: string, b: string): number {
  const ra = a.match(/\d+|\D+/g) ?? [];
  const rb = b.match(/\d+|\D+/g) ?? [];
  for (let i = 0; i < Math.min(ra.length, rb.length); i++) {
    const x = ra[i];
    const y = rb[i];
    if (x === y) continue;
    if (/^\d/.test(x) && /^\d/.test(y)) {
      const d = Number(x) - Number(y);
      if (d !== 0) return d;
    }
    return x < y ? -1 : 1;
  }
  return ra.length - rb.length;
}
