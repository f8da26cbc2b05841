import type { Command } from 'commander';
import { availableParallelism } from 'node:os';
import { readFile } from 'node:fs/promises';
import { statSync } from 'node:fs';
import { openInputChecked, readJsonl, writeJsonl } from '../jsonl.js';
import { nestingProblem, parseRunRecord, RunRecordError, type Run, type RunInput } from '../model/run.js';
import { detectLanguage } from '../instrument/language.js';
import { addLimitOptions, addSandboxOptions, limitsFromFlags, sandboxFromFlags, type LimitFlags, type SandboxFlags } from '../run/limits.js';
import { orderedMap } from '../run/pool.js';
import { Tracer } from '../trace/tracer.js';
import { InputError, UsageError, EXIT } from '../errors.js';
import { readSource } from './instrument.js';
import { preludeFor, preludeFromFlag, addPreludeOption, type PreludeChoice } from '../run/prelude.js';
import { pythonInput } from '../read/call-input.js';

interface TraceFlags extends LimitFlags, SandboxFlags {
  code?: string;
  stdin?: string;
  input?: string;
  call?: string;
  fn?: string;
  args?: string;
  language?: string;
  jobs: string;
  plain?: boolean;
  python?: string;
  timing?: boolean;
  prelude?: string;
}

export function registerTrace(program: Command): void {
  const cmd = program
    .command('trace')
    .description('Trace programs line by line: one Trace record (JSON) per run on stdout.')
    .argument('[runs]', 'JSONL file of runs {"id","language","code","stdin"|"call"|"fn_name"+"args"}, or - for stdin')
    .option('--code <file>', 'trace one program file instead of a JSONL of runs')
    .option('--stdin <file>', 'with --code: file to feed on standard input')
    .option('--input <text>', 'with --code: text to feed on standard input')
    .option('--call <expr>', 'with --code: call expression to evaluate after the program, e.g. "f([1, 2], 3)"')
    .option('--fn <name>', 'with --code: function (or Solution method) to call with --args')
    .option('--args <json>', 'with --fn: JSON array of arguments', '[]')
    .option('-l, --language <language>', 'python or javascript (default: from the file name or content)')
    .option('-j, --jobs <n>', 'runs in parallel', String(availableParallelism()))
    .option('--plain', 'run without instrumentation (same sandbox), for comparison')
    .option('--python <path>', 'Python interpreter (default: python3, or $CODERL_TRACE_PYTHON)')
    .option('--timing', 'record each run\'s wall-clock duration_ms (otherwise null, so output is byte-identical)');
  addPreludeOption(addSandboxOptions(addLimitOptions(cmd)))
    .addHelpText('after', `
Examples:
  $ coderl-trace trace --code solution.py --input "3\\n1 2 3\\n"
  $ coderl-trace trace --code sol.py --call "Solution().f(nums = [1, 2], flag = true)" --prelude none
  $ coderl-trace trace --code f.py --call "f([1, 2], 3)"
  $ coderl-trace trace runs.jsonl > traces.jsonl
  $ cat runs.jsonl | coderl-trace trace - --jobs 4

Exit status: 0 when every record was traced (whatever the programs did),
1 when some input lines were not valid runs (an error record is printed
in their place), 2 on usage errors (also: a --code file of another language
without --language), 3 when an input file cannot be read, is a directory
or is not JSON lines,
4 when a required sandbox protection is unavailable (see coderl-trace doctor).`)
    .action(async (runsFile: string | undefined, flags: TraceFlags) => {
      const jobs = Number(flags.jobs);
      if (!Number.isInteger(jobs) || jobs < 1) throw new UsageError(`--jobs must be a positive whole number, got "${flags.jobs}"`);
      const limits = limitsFromFlags(flags);
      if (flags.code !== undefined && runsFile !== undefined) throw new UsageError('give either a runs file or --code, not both');
      if (flags.code === undefined && runsFile === undefined) throw new UsageError('give a runs file (or -) or --code FILE');
      const runs = flags.code !== undefined ? singleRun(flags) : runsFromJsonl(runsFile!);
      const prelude = preludeFromFlag(flags.prelude);
      const tracer = new Tracer({ jobs, limits, python: flags.python, sandbox: sandboxFromFlags(flags), timing: flags.timing === true });
      let bad = 0;
      try {
        const results = orderedMap(runs, jobs, async (item) => {
          if ('error' in item) return item.error;
          return tracer.trace(await judgeReady(item.run, prelude), flags.plain ? 'plain' : 'trace');
        });
        for await (const record of results) {
          if ('error' in record) bad++;
          await writeJsonl(process.stdout, record);
        }
      } finally {
        tracer.close();
      }
      process.exitCode = bad > 0 ? EXIT.partial : EXIT.ok;
    });
}

/** As a judge runs it: LeetCode literals in a Python call made Python, and the judge's prelude. */
async function judgeReady(run: Run, choice: PreludeChoice): Promise<Run> {
  const input = run.language === 'python' ? await pythonInput(run.input, run.code) : run.input;
  return { ...run, input, prelude: preludeFor(run.language, run.code, choice) };
}

type RunItem = { run: Run } | { error: { id: string; error: string; line: number } };

async function* singleRun(flags: TraceFlags): AsyncGenerator<RunItem> {
  yield { run: await runFromFlags(flags) };
}

export type SingleRunFlags = Pick<TraceFlags, 'code' | 'stdin' | 'input' | 'call' | 'fn' | 'args' | 'language'>;

/** The one run `--code FILE` with its input flags describes. */
export async function runFromFlags(flags: SingleRunFlags): Promise<Run> {
  const code = await readSource(flags.code!);
  const language = detectLanguage(code, refuseForeign(flags.code!, flags.language), flags.language);
  return { id: flags.code!, language, code, input: await singleInput(flags) };
}

async function singleInput(flags: SingleRunFlags): Promise<RunInput> {
  const given = [flags.stdin, flags.input, flags.call, flags.fn].filter((v) => v !== undefined).length;
  if (given > 1) throw new UsageError('give at most one of --stdin, --input, --call, --fn');
  if (flags.call !== undefined) return { kind: 'call', call: flags.call };
  if (flags.fn !== undefined) {
    let args: unknown;
    try {
      args = JSON.parse(flags.args ?? '[]');
    } catch (err) {
      throw new UsageError(`--args is not valid JSON: ${(err as Error).message}`);
    }
    if (!Array.isArray(args)) throw new UsageError('--args must be a JSON array');
    const tooDeep = nestingProblem(args);
    if (tooDeep) throw new UsageError(`--args ${tooDeep}`);
    return { kind: 'fn', fn_name: flags.fn, args };
  }
  if (flags.stdin !== undefined) {
    try {
      return { kind: 'stdin', stdin: await readFile(flags.stdin, 'utf8') };
    } catch (err) {
      throw new InputError(`cannot read ${flags.stdin}: ${(err as NodeJS.ErrnoException).code}`);
    }
  }
  return { kind: 'stdin', stdin: flags.input?.replace(/\\n/g, '\n') ?? '' };
}

/**
 * A program file whose extension names another language is refused rather
 * than run as Python (`x.rb` would only give a confusing syntax error).
 * Returns the name to detect the language from.
 */
export function refuseForeign(file: string, language: string | undefined): string {
  const ext = /\.([A-Za-z0-9]+)$/.exec(file)?.[1]?.toLowerCase();
  if (language !== undefined || ext === undefined || KNOWN_EXTENSIONS.includes(ext) || file === '-') return file;
  throw new UsageError(`${file}: a .${ext} file is not a program this tool traces (Python .py or JavaScript .js); give --language python|javascript to trace it anyway`);
}

const KNOWN_EXTENSIONS = ['py', 'pyw', 'js', 'cjs', 'mjs', 'txt'];

async function* runsFromJsonl(file: string): AsyncGenerator<RunItem> {
  refuseDirectory(file);
  const input = await openInputChecked(file);
  for await (const line of readJsonl(input, undefined, file === '-' ? 'standard input' : file)) {
    const fallbackId = `${file}:${line.lineNo}`;
    if (!line.ok) {
      yield { error: { id: fallbackId, error: line.error, line: line.lineNo } };
      continue;
    }
    try {
      yield { run: parseRunRecord(line.value, fallbackId) };
    } catch (err) {
      if (!(err instanceof RunRecordError)) throw err;
      yield { error: { id: fallbackId, error: err.message, line: line.lineNo } };
    }
  }
}

/** A directory is not a runs file: say so (exit 3) before reading. */
export function refuseDirectory(file: string): void {
  if (file !== '-' && statSync(file, { throwIfNoEntry: false })?.isDirectory()) {
    throw new InputError(`${file} is a directory, not a JSONL file of runs`);
  }
}
