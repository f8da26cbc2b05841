import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The package version, from the nearest package.json above this module
 * (src/ when run from source, dist/src/ when compiled).
 */
export const VERSION: string = findVersion(dirname(fileURLToPath(import.meta.url)));

function findVersion(dir: string): string {
  for (let d = dir; ; d = dirname(d)) {
    try {
      const pkg = JSON.parse(readFileSync(join(d, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'coderl-trace' && pkg.version) return pkg.version;
    } catch {
      // no package.json here: keep going up
    }
    if (dirname(d) === d) return '0.0.0';
  }
}
