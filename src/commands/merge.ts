import type { Command } from 'commander';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { EXPORT_FORMATS, type ExportFormat } from '../export/formats.js';
import { openOutputs } from '../export/outputs.js';
import { mergeParts } from '../merge/merge.js';
import { PART_SUFFIX } from '../merge/part.js';
import { InputError, UsageError } from '../errors.js';
import { writeFileAtomic } from '../output-file.js';

interface MergeFlags {
  output?: string;
  format: string;
  rejects?: string;
  stats?: string;
  progress: boolean;
}

export function registerMerge(program: Command): void {
  program
    .command('merge')
    .description('Put the parts of a sharded build (build --shard i/n --part) back together: the tasks, rejects and funnel one build writes.')
    .argument('<parts...>', `part files, or directories holding *${PART_SUFFIX} files; - for stdin`)
    .option('-o, --output <file>', 'write tasks here instead of stdout (Parquet when it ends in .parquet)')
    .option('-f, --format <format>', `output format: ${EXPORT_FORMATS.join(', ')}`, 'verl')
    .option('--rejects <file>', 'write one JSON line per rejected record, with the reason')
    .option('--stats <file>', 'write the funnel counts as JSON')
    .option('--no-progress', 'no progress line on stderr (it only shows on a terminal anyway)')
    .addHelpText('after', `
Examples:
  $ for i in 0 1 2; do coderl-trace build rollouts/ --shard $i/3 -o parts/$i${PART_SUFFIX}; done
  $ coderl-trace merge parts/ -o tasks.jsonl --rejects rejects.jsonl --stats stats.json
  $ coderl-trace merge parts/*${PART_SUFFIX} --format messages -o sft.parquet

The output equals, byte for byte, that of one build over the same inputs
with the same options (the options of the parts; --format is chosen here).
Every shard 0..n-1 must be there, complete, built with the same options.

Exit status: 0 when merged, 2 on usage errors, 3 when a part is missing,
incomplete, unreadable or from another build.`)
    .action(async (paths: string[], flags: MergeFlags) => {
      if (!(EXPORT_FORMATS as readonly string[]).includes(flags.format)) throw new UsageError(`--format must be one of ${EXPORT_FORMATS.join(', ')}, got "${flags.format}"`);
      const parts = expandParts(paths);
      const outputs = await openOutputs({ output: flags.output, format: flags.format as ExportFormat, rejects: flags.rejects });
      const showProgress = flags.progress && process.stderr.isTTY;
      try {
        const funnel = await mergeParts(parts, {
          task: outputs.task,
          reject: outputs.reject,
          progress: showProgress ? (f) => { if (f.records % 1000 === 0) process.stderr.write(`\r${f.records} records, ${f.tasks} tasks `); } : undefined,
        });
        if (showProgress) process.stderr.write('\n');
        await outputs.commit();
        if (flags.stats) await writeFileAtomic(flags.stats, JSON.stringify(funnel.toJSON(), null, 2) + '\n');
        process.stderr.write(`coderl-trace merge: ${funnel.summary()}\n`);
      } catch (err) {
        outputs.discard();
        throw err;
      }
    });
}

/** Files as given; a directory stands for its *.part.jsonl files, in name order. */
function expandParts(paths: string[]): string[] {
  return paths.flatMap((path) => {
    if (path === '-') return [path];
    let isDir: boolean;
    try {
      isDir = statSync(path).isDirectory();
    } catch {
      throw new InputError(`no such part: ${path}`);
    }
    if (!isDir) return [path];
    const files = readdirSync(path).filter((name) => name.endsWith(PART_SUFFIX)).sort().map((name) => join(path, name));
    if (files.length === 0) throw new InputError(`directory ${path} has no *${PART_SUFFIX} files`);
    return files;
  });
}
