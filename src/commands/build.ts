import type { Command } from 'commander';
import { availableParallelism } from 'node:os';
import { readFile } from 'node:fs/promises';
import { build, type BuildOptions } from '../build/pipeline.js';
import { EXPORT_FORMATS, EXPORT_FORMAT_SPECS, type ExportFormat } from '../export/formats.js';
import { HASH_CHECKS, type HashCheck } from '../build/hash-order.js';
import { openOutputs } from '../export/outputs.js';
import { parseShard } from '../build/shard.js';
import { buildPart } from '../merge/build-part.js';
import { PART_SUFFIX } from '../merge/part.js';
import { INPUT_FORMATS, parseFieldSpecs, type InputFormat } from '../read/index.js';
import { TARGET_POLICIES, type TargetPolicy } from '../tasks/targets.js';
import { TASK_KINDS, type TaskKind } from '../model/task.js';
import { addPreludeOption, preludeFromFlag } from '../run/prelude.js';
import { addLimitOptions, addSandboxOptions, limitsFromFlags, sandboxFromFlags, type LimitFlags, type SandboxFlags } from '../run/limits.js';
import { EXIT, InputError, UsageError } from '../errors.js';
import { writeFileAtomic } from '../output-file.js';
import { Progress, inputBytes } from '../build/progress.js';
import type { Funnel } from '../build/funnel.js';
import { loadTokenCounter } from '../build/tokens.js';

export interface BuildFlags extends LimitFlags, SandboxFlags {
  output?: string;
  format: string;
  inputFormat: string;
  field: string[];
  dataset?: string;
  language?: string;
  task: string;
  keep: string;
  testsPerProgram: string;
  targets: string;
  policy: string;
  seed: string;
  template?: string;
  rationale: string;
  ifNoTargets: string;
  hashCheck: string;
  compat?: string;
  keepErrors?: boolean;
  keepEmpty?: boolean;
  checkDeterminism?: boolean;
  minSteps: string;
  maxSteps?: string;
  maxPromptTokens?: string;
  tokenizer?: string;
  rejects?: string;
  stats?: string;
  shard?: string;
  part?: boolean;
  force?: boolean;
  jobs: string;
  python?: string;
  prelude?: string;
  recheckTimeouts?: boolean;
  progress?: boolean;
}

export function registerBuild(program: Command): void {
  const cmd = program
    .command('build')
    .description('Turn rollout files into execution-semantics alignment tasks (JSONL on stdout or -o).')
    .argument('<files...>', 'rollout files (JSONL, Parquet) or directories; - for stdin')
    .option('-o, --output <file>', 'write tasks here instead of stdout')
    .option('-f, --format <format>', `output format: ${EXPORT_FORMATS.join(', ')}`, 'verl')
    .option('--input-format <format>', `auto, ${INPUT_FORMATS.join(', ')}`, 'auto')
    .option('--field <name=path>', 'generic format: where a field lives (repeatable), e.g. code=completion', collect, [])
    .option('--dataset <file>', 'trl-parquet: training dataset (JSONL) to join completions back to their tests by prompt')
    .option('-l, --language <language>', 'force the language instead of detecting it')
    .option('--task <kind>', `task kind: ${TASK_KINDS.join(', ')}`, 'output-vars')
    .option('--keep <which>', 'failed | passed | all rollouts (by the reward in the file, else by our own run)', 'failed')
    .option('--tests-per-program <n>', 'test inputs traced per program', '1')
    .option('--targets <k>', 'target variables per task', '3')
    .option('--policy <policy>', `how targets are chosen: ${TARGET_POLICIES.join(', ')} (see README "Targets")`, 'computed')
    .option('--if-no-targets <what>', 'when no variable is worth asking: output (make an output task) | reject (no-targets)', 'output')
    .option('--hash-check <when>', `run Python tests again under another hash seed to drop set-order-dependent values: ${HASH_CHECKS.join(', ')}`, 'auto')
    .option('--rationale <kind>', 'SFT formats: none (the answer line alone) | trace (a short reasoning from the trace, then the line)', 'none')
    .option('--compat <recipe>', 'coderl: the CodeRL+ recipe\'s prompt and targets (module scope at exit, last 3)')
    .option('--seed <seed>', 'seed for every random choice', '0')
    .option('--template <file>', 'prompt template file ({{code}}, {{input}}, {{question}}, {{answer_example}}, ...)')
    .option('--keep-errors', 'also make tasks from runs that crashed or hit a limit')
    .option('--keep-empty', 'also make tasks from runs that printed/returned nothing')
    .option('--check-determinism', 'run each test a second time and drop programs whose output differs (randomness, time)')
    .option('--min-steps <n>', 'drop runs with fewer line events (too simple)', '0')
    .option('--max-steps <n>', 'drop runs with more line events (too complex)')
    .option('--max-prompt-tokens <n>', 'drop tasks whose prompt is longer (approximate count unless --tokenizer)')
    .option('--tokenizer <file>', 'Hugging Face tokenizer.json for an exact --max-prompt-tokens count')
    .option('--rejects <file>', 'write one JSON line per rejected record, with the reason')
    .option('--stats <file>', 'write the funnel counts as JSON')
    .option('--shard <i/n>', 'process only shard i of n (0-based), e.g. 0/8; identical programs share a shard')
    .option('--part', `write the shard as a part for \`merge\` (implied by -o *${PART_SUFFIX})`)
    .option('--force', 'build the part again even if a complete one is there')
    .option('-j, --jobs <n>', 'runs in parallel', String(availableParallelism()))
    .option('--python <path>', 'Python interpreter (default: python3, or $CODERL_TRACE_PYTHON)')
    .option('--no-recheck-timeouts', 'keep a wall-clock timeout as it is (by default a run that hit the wall clock with CPU time left, as on a loaded machine, runs once more with 4x the CPU limit as wall clock, so the CPU limit decides; recorded in provenance)')
    .option('--progress', 'show the progress line on stderr even when it is not a terminal')
    .option('--no-progress', 'no progress line (by default it shows when stderr is a terminal)');
  addPreludeOption(addSandboxOptions(addLimitOptions(cmd)))
    .addHelpText('after', `
Examples:
  $ coderl-trace build rollouts/*.jsonl -o tasks.jsonl
  $ coderl-trace build leetcode.jsonl --prelude judge_prelude.py
  $ coderl-trace build dumps/ --keep all --task output --format messages > sft.jsonl
  $ coderl-trace build data.jsonl --field code=completion --field tests=gt.inputs --field outputs=gt.outputs
  $ cat step_10.jsonl | coderl-trace build - --rejects rejects.jsonl --stats stats.json
  $ coderl-trace build dumps/ --format messages --rationale trace > sft.jsonl
  $ coderl-trace build dumps/ --compat coderl > coderl-recipe.jsonl
  $ coderl-trace build rollouts/ --shard 2/8 -o parts/2${PART_SUFFIX}    # then: coderl-trace merge parts/ -o tasks.jsonl

-o, --rejects and --stats files are written under a temporary name and
renamed when complete: an interrupted or failed build leaves none of them
half-written (--stats is then written, marked "interrupted").

Exit status: 0 when the build finished (rejects are normal and counted),
2 on usage errors, 3 when an input cannot be read or its format detected,
4 when a required sandbox protection is unavailable (see coderl-trace doctor),
130 / 143 when interrupted by SIGINT (Ctrl-C) / SIGTERM.`)
    .action(async (files: string[], flags: BuildFlags) => {
      const format = choice('--format', flags.format, EXPORT_FORMATS) as ExportFormat;
      const options = await buildOptions(files, flags, format);
      const progress = (flags.progress ?? process.stderr.isTTY === true) ? new Progress(inputBytes(files), (t) => process.stderr.write(t)) : null;
      if (progress) options.read.onRead = (bytes) => progress.read(bytes);
      if (flags.part || flags.output?.endsWith(PART_SUFFIX)) {
        if (flags.rejects || flags.stats || flags.output?.endsWith('.parquet')) throw new UsageError('a part holds its rejects and counts for merge: give --rejects, --stats and a .parquet -o to merge instead');
        const funnel = await buildPart(options, { path: flags.output, force: flags.force === true, tokenizer: flags.tokenizer, progress: progress ? (f) => progress.update(f) : undefined });
        if (funnel) progress?.end(funnel);
        const shard = options.shard ? `${options.shard.index}/${options.shard.count}` : '0/1';
        process.stderr.write(funnel ? `coderl-trace build: shard ${shard}: ${funnel.records - funnel.shardSkipped} of ${funnel.records} records written as a part${flags.output ? ` to ${flags.output}` : ''}\n`
          : `coderl-trace build: shard ${shard} is complete in ${flags.output} already; skipped (--force builds it again)\n`);
        return;
      }
      const outputs = await openOutputs({ output: flags.output, format, rejects: flags.rejects });
      const interrupt = onInterrupt();
      options.signal = interrupt.signal;
      let funnel: Funnel;
      try {
        funnel = await build(options, {
          task: outputs.task,
          reject: outputs.reject,
          progress: progress ? (f) => progress.update(f) : undefined,
        });
      } catch (err) {
        outputs.discard();
        throw err;
      } finally {
        interrupt.dispose();
      }
      progress?.end(funnel);
      const signal = interrupt.signal.aborted ? (interrupt.signal.reason as 'SIGINT' | 'SIGTERM') : null;
      if (signal) outputs.discard();
      else await outputs.commit();
      if (flags.stats) await writeFileAtomic(flags.stats, JSON.stringify(signal ? { ...funnel.toJSON(), interrupted: signal } : funnel.toJSON(), null, 2) + '\n');
      if (!signal) {
        process.stderr.write(`coderl-trace build: ${funnel.summary()}\n`);
        return;
      }
      const kept = flags.stats ? `; the counts so far are in ${flags.stats} (marked interrupted)` : '';
      const dropped = flags.output || flags.rejects ? `; no output written (${[flags.output, flags.rejects].filter(Boolean).join(', ')})` : '';
      process.stderr.write(`coderl-trace build: interrupted by ${signal} after ${funnel.records} records${dropped}${kept}\n`);
      // Runs in flight were abandoned with their executors: nothing is left to wait for.
      process.exit(signal === 'SIGINT' ? EXIT.sigint : EXIT.sigterm);
    });
}

/** SIGINT / SIGTERM abort the build (the signal's name is the reason); a second one exits at once. */
function onInterrupt(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const handlers = (['SIGINT', 'SIGTERM'] as const).map((name) => {
    const handler = () => {
      if (controller.signal.aborted) process.exit(name === 'SIGINT' ? EXIT.sigint : EXIT.sigterm);
      controller.abort(name);
    };
    process.on(name, handler);
    return () => process.off(name, handler);
  });
  return { signal: controller.signal, dispose: () => handlers.forEach((off) => off()) };
}

export async function buildOptions(files: string[], flags: BuildFlags, format: ExportFormat): Promise<BuildOptions> {
  const int = (flag: string, value: string, min: number) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new UsageError(`${flag} must be a whole number >= ${min}, got "${value}"`);
    return n;
  };
  const jobs = int('--jobs', flags.jobs, 1);
  let template: string | undefined;
  if (flags.template) {
    try {
      template = await readFile(flags.template, 'utf8');
    } catch (err) {
      throw new InputError(`cannot read template ${flags.template}: ${(err as NodeJS.ErrnoException).code}`);
    }
  }
  const shard = flags.shard === undefined ? null : parseShard(flags.shard);
  const language = flags.language === undefined ? undefined : (choice('--language', flags.language, ['python', 'javascript']) as 'python' | 'javascript');
  return {
    paths: files,
    read: {
      inputFormat: choice('--input-format', flags.inputFormat, ['auto', ...INPUT_FORMATS]) as InputFormat | 'auto',
      fields: flags.field.length > 0 ? parseFieldSpecs(flags.field) : undefined,
      dataset: flags.dataset,
      language,
    },
    keep: choice('--keep', flags.keep, ['failed', 'passed', 'all']) as BuildOptions['keep'],
    testsPerProgram: int('--tests-per-program', flags.testsPerProgram, 1),
    keepErrors: flags.keepErrors === true,
    keepEmpty: flags.keepEmpty === true,
    checkDeterminism: flags.checkDeterminism === true,
    minEvents: int('--min-steps', flags.minSteps, 0),
    maxEvents: flags.maxSteps === undefined ? Infinity : int('--max-steps', flags.maxSteps, 1),
    task: choice('--task', flags.task, TASK_KINDS) as TaskKind,
    policy: choice('--policy', flags.policy, TARGET_POLICIES) as TargetPolicy,
    reply: !EXPORT_FORMAT_SPECS[format].sft ? 'reason' : choice('--rationale', flags.rationale, ['none', 'trace']) === 'trace' ? 'rationale' : 'answer',
    ifNoTargets: choice('--if-no-targets', flags.ifNoTargets, ['output', 'reject']) as BuildOptions['ifNoTargets'],
    hashCheck: choice('--hash-check', flags.hashCheck, HASH_CHECKS) as HashCheck,
    compat: flags.compat === undefined ? null : choice('--compat', flags.compat, ['coderl']) as 'coderl',
    targets: int('--targets', flags.targets, 1),
    seed: flags.seed,
    template,
    maxPromptTokens: flags.maxPromptTokens === undefined ? null : int('--max-prompt-tokens', flags.maxPromptTokens, 1),
    countTokens: await loadTokenCounter(flags.tokenizer),
    jobs,
    limits: limitsFromFlags(flags),
    python: flags.python,
    sandbox: sandboxFromFlags(flags),
    prelude: preludeFromFlag(flags.prelude),
    recheckTimeouts: flags.recheckTimeouts !== false,
    shard,
  };
}

export function choice(flag: string, value: string, allowed: readonly string[]): string {
  if (!allowed.includes(value)) throw new UsageError(`${flag} must be one of ${allowed.join(', ')}, got "${value}"`);
  return value;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
