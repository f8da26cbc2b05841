/**
 * `coderl-trace show`: look at one run, trace or task in the terminal.
 */
import type { Command } from 'commander';
import { openInputChecked, readJsonl } from '../jsonl.js';
import { addLimitOptions, addSandboxOptions, limitsFromFlags, sandboxFromFlags, type LimitFlags, type SandboxFlags } from '../run/limits.js';
import { Tracer } from '../trace/tracer.js';
import type { Run } from '../model/run.js';
import { InputError, UsageError } from '../errors.js';
import { refuseDirectory, runFromFlags, type SingleRunFlags } from './trace.js';
import { readSource } from './instrument.js';
import { idOf, subjectOf } from '../show/load.js';
import { renderView } from '../show/view.js';
import { renderSteps } from '../show/steps.js';
import { makeStyle } from '../show/style.js';
import type { Subject } from '../show/subject.js';

interface ShowFlags extends SingleRunFlags, LimitFlags, SandboxFlags {
  id?: string;
  index?: string;
  steps?: boolean;
  color?: boolean;
  valueWidth: string;
  python?: string;
}

export function registerShow(program: Command): void {
  const cmd = program
    .command('show')
    .description('Show one run in the terminal: the source with hit counts and values per line, or step by step.')
    .argument('[file]', 'JSONL of traces, tasks or runs (one record is shown; - for stdin)')
    .option('--id <id>', 'the record with this id (trace id, task extra_info.id, run id)')
    .option('--index <n>', 'the n-th record of the file, from 0 (default 0)')
    .option('--code <file>', 'program to trace (or: the program of a trace record that holds none)')
    .option('--stdin <file>', 'with --code: file to feed on standard input')
    .option('--input <text>', 'with --code: text to feed on standard input')
    .option('--call <expr>', 'with --code: call expression to evaluate after the program')
    .option('--fn <name>', 'with --code: function (or Solution method) to call with --args')
    .option('--args <json>', 'with --fn: JSON array of arguments', '[]')
    .option('-l, --language <language>', 'python or javascript (default: from the file name or content)')
    .option('--steps', 'print the run step by step (line, source, variables that changed)')
    .option('--color', 'colours even when stdout is not a terminal')
    .option('--no-color', 'no colours (by default only on a terminal)')
    .option('--value-width <n>', 'longest value shown before it is cut (marked …)', '40')
    .option('--python <path>', 'Python interpreter (default: python3, or $CODERL_TRACE_PYTHON)');
  addSandboxOptions(addLimitOptions(cmd))
    .addHelpText('after', `
Examples:
  $ coderl-trace show --code solution.py --input "3\\n1 2 3\\n"
  $ coderl-trace show --code f.js --call "f([1, 2], 3)" --steps
  $ coderl-trace show tasks.jsonl --index 12         # targets and expected values marked
  $ coderl-trace show traces.jsonl --id run-7 --code run7.py

Default view: each source line with its number; beside an executed line,
×N (steps recorded: times it ran, or for an if/while header times its body
was entered) and the variables set there (first → last value); the return
value or exception at its line; then stdout. A task's targets are marked ◆
with their expected values. Values longer than --value-width end with ….
Colours only on a terminal unless --color.

Exit status: 0 shown, 2 usage error, 3 input unreadable or record not found,
4 sandbox protection missing.`)
    .action(async (file: string | undefined, flags: ShowFlags) => {
      const valueWidth = Number(flags.valueWidth);
      if (!Number.isInteger(valueWidth) || valueWidth < 4) throw new UsageError(`--value-width must be a whole number >= 4, got "${flags.valueWidth}"`);
      if (file === undefined && flags.code === undefined) throw new UsageError('give a JSONL file (or -) or --code FILE');
      if (file !== undefined && (flags.id !== undefined) && (flags.index !== undefined)) throw new UsageError('give --id or --index, not both');
      let tracer: Tracer | null = null;
      const trace = (run: Run) => {
        tracer ??= new Tracer({ jobs: 1, limits: limitsFromFlags(flags), python: flags.python, sandbox: sandboxFromFlags(flags), timing: false });
        return tracer.trace(run);
      };
      let subject: Subject;
      try {
        if (file === undefined) {
          const run = await runFromFlags(flags);
          subject = { title: run.id, trace: await trace(run), code: run.code, input: inputOf(run) };
        } else {
          const { rec, name } = await pickRecord(file, flags);
          subject = await subjectOf(rec, name, trace, flags.code === undefined ? null : await readSource(flags.code));
        }
      } finally {
        (tracer as Tracer | null)?.close();
      }
      const color = flags.color ?? process.stdout.isTTY === true;
      const style = makeStyle(color);
      const width = process.stdout.isTTY ? process.stdout.columns ?? null : null;
      process.stdout.write(flags.steps ? renderSteps(subject, { style, valueWidth }) : renderView(subject, { style, valueWidth, width }));
    });
}

function inputOf(run: Run): string {
  if (run.input.kind === 'stdin') return run.input.stdin;
  if (run.input.kind === 'call') return run.input.call;
  return `${run.input.fn_name}(${JSON.stringify(run.input.args).slice(1, -1)})`;
}

/** The record asked for: by --id, else the --index-th (0 by default). */
async function pickRecord(file: string, flags: ShowFlags): Promise<{ rec: Record<string, unknown>; name: string }> {
  refuseDirectory(file);
  const index = flags.index === undefined ? 0 : Number(flags.index);
  if (!Number.isInteger(index) || index < 0) throw new UsageError(`--index must be a whole number >= 0, got "${flags.index}"`);
  const input = await openInputChecked(file);
  let n = 0;
  for await (const line of readJsonl(input, undefined, file === '-' ? 'standard input' : file)) {
    if (!line.ok || line.value === null || typeof line.value !== 'object' || Array.isArray(line.value)) {
      n++;
      continue;
    }
    const rec = line.value as Record<string, unknown>;
    const hit = flags.id !== undefined ? idOf(rec) === flags.id : n === index;
    n++;
    if (hit) {
      input.destroy();
      return { rec, name: `${file}:${line.lineNo}` };
    }
  }
  throw new InputError(flags.id !== undefined ? `${file}: no record with id ${JSON.stringify(flags.id)}` : `${file}: has ${n} records, no index ${index}`);
}
