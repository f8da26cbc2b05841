/**
 * Dotted paths into records, and the `--field name=path` flags of the
 * generic format.
 */
import { UsageError } from '../errors.js';
import { FIELD_NAMES, type FieldMap, type FieldName } from './types.js';

/**
 * Follow `a.b.0.c` into a value. A string met on the way that holds JSON is
 * decoded and followed into, because trainers store nested specs as JSON
 * strings (verl's `reward_model.ground_truth`), so `ground_truth.inputs`
 * works on them too. Missing steps give undefined.
 */
export function getPath(value: unknown, path: string): unknown {
  let cur = value;
  for (const step of path.split('.')) {
    if (typeof cur === 'string') {
      try {
        cur = JSON.parse(cur);
      } catch {
        return undefined;
      }
    }
    if (Array.isArray(cur) && /^\d+$/.test(step)) cur = cur[Number(step)];
    else if (cur !== null && typeof cur === 'object' && !Array.isArray(cur)) cur = (cur as Record<string, unknown>)[step];
    else return undefined;
    if (cur === undefined) return undefined;
  }
  return cur;
}

/** The first of several paths that is present. */
export function firstPath(value: unknown, paths: readonly string[]): { path: string; value: unknown } | null {
  for (const path of paths) {
    const v = getPath(value, path);
    if (v !== undefined && v !== null) return { path, value: v };
  }
  return null;
}

/** `["code=completion", "tests=gt.inputs"]` -> `{code: "completion", tests: "gt.inputs"}`. */
export function parseFieldSpecs(specs: readonly string[]): FieldMap {
  const map: FieldMap = {};
  for (const spec of specs) {
    const eq = spec.indexOf('=');
    if (eq <= 0 || eq === spec.length - 1) {
      throw new UsageError(`--field expects name=path (e.g. code=completion), got ${JSON.stringify(spec)}`);
    }
    const name = spec.slice(0, eq).trim();
    const path = spec.slice(eq + 1).trim();
    if (!(FIELD_NAMES as readonly string[]).includes(name)) {
      throw new UsageError(`--field: unknown name ${JSON.stringify(name)}; known names: ${FIELD_NAMES.join(', ')}`);
    }
    if (path.split('.').some((s) => s === '')) throw new UsageError(`--field ${name}: empty step in path ${JSON.stringify(path)}`);
    if (map[name as FieldName] !== undefined) throw new UsageError(`--field ${name} given twice`);
    map[name as FieldName] = path;
  }
  return map;
}
