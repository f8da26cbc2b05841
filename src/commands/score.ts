/**
 * `coderl-trace score FILE|-`: grade model answers to alignment tasks.
 * One JSONL line out per line in; the summary goes to stderr.
 */
import { Command, Option } from 'commander';
import { existsSync, statSync } from 'node:fs';
import { openInput, readJsonl, writeJsonl } from '../jsonl.js';
import { InputError } from '../errors.js';
import { groundTruthOf, REWARD_SCHEMES, scoreRecord, type Compat, type RewardScheme, type ScoreOptions, type ScoreResult } from '../score/score.js';
import { ScoreSummary } from '../score/summary.js';
import { serve } from '../score/serve.js';

interface ScoreFlags {
  reward: RewardScheme;
  compat?: 'coderl';
  responseField?: string;
  serve?: boolean;
  quiet?: boolean;
}

const EXAMPLES = `
Input lines carry a ground truth (reward_model.ground_truth, a verl dump's
"gts", or "ground_truth") and a model response ("response", "output" or
"completion", or --response-field). Output: one line per input with "score",
"format_ok", "reason" and "items" (expected vs got for each item).

Examples:
  $ coderl-trace score answers.jsonl > scores.jsonl
  $ coderl-trace score --reward strict --response-field generation eval.jsonl
  $ coderl-trace score --compat coderl verl_dump.jsonl     # the CodeRL+ reference numbers
  $ coderl-trace score --serve                             # for training loops: requests on stdin
      {"id": 1, "response": "...", "ground_truth": "{...}"}   ->   {"id": 1, "score": 0.55, ...}

Answer format asked of the model (last line):
  {"final_output": <value>, "variables": {"name": <value>}}
  where a value is a literal of the program's language in a JSON string
  ("(1, 2)", "{'a'}", "None") or a plain JSON value (3, [1, 2], true).

Exit status: 0 scored, 2 usage error, 3 the file cannot be read, is not
JSON lines, or its first record has no ground truth. With --serve, a
request without "ground_truth" is answered {"id", "score": null, "error"}.
`;

export function registerScore(program: Command): void {
  program
    .command('score')
    .description('Score model answers to alignment tasks (reward for RL, accuracy for evaluation).')
    .argument('[file]', 'JSONL with ground truth + response per line, or - for stdin', '-')
    .addOption(new Option('--reward <scheme>', 'coderl: 0.1 format + 0.9 x item accuracy; strict: all or nothing; items: item accuracy')
      .choices([...REWARD_SCHEMES]).default('coderl'))
    .addOption(new Option('--compat <mode>', 'grade as the CodeRL+ reference reward does (last line only, lenient matching)').choices(['coderl']))
    .option('--response-field <name>', 'field holding the response (dotted path allowed)')
    .option('--serve', 'long-running mode: read requests on stdin, answer on stdout, one JSON per line')
    .option('-q, --quiet', 'no summary on stderr')
    .addHelpText('after', EXAMPLES)
    .action(async (file: string, flags: ScoreFlags) => {
      const options: ScoreOptions = { reward: flags.reward, compat: (flags.compat ?? null) as Compat, responseField: flags.responseField };
      if (flags.serve) {
        await serve(process.stdin, process.stdout, options);
        return;
      }
      if (file !== '-' && !existsSync(file)) throw new InputError(`cannot read ${file}: no such file`);
      if (file !== '-' && statSync(file).isDirectory()) throw new InputError(`${file} is a directory, not a JSONL file`);
      const summary = new ScoreSummary();
      let firstRecord = true;
      for await (const line of readJsonl(openInput(file), undefined, file === '-' ? 'standard input' : file)) {
        let result: ScoreResult;
        if (line.ok && firstRecord && isObject(line.value)) {
          // A file without ground truth is the wrong file, not a file of 0 scores.
          firstRecord = false;
          if (groundTruthOf(line.value) === undefined) {
            throw new InputError(`${file}: line ${line.lineNo} has no ground truth (no "reward_model.ground_truth", "gts" or "ground_truth" field; keys: ${Object.keys(line.value).slice(0, 12).join(', ') || 'none'})`);
          }
        }
        if (line.ok) {
          result = scoreRecord(line.value, options);
        } else {
          summary.unreadable++;
          result = { score: 0, format_ok: false, reason: `line ${line.lineNo}: ${line.error}`, task: null, answer_path: null, correct: 0, total: 0, items: [], rules: 'coderl-trace' };
        }
        summary.add(result);
        const id = line.ok && line.value && typeof line.value === 'object' ? (line.value as { id?: unknown }).id : undefined;
        await writeJsonl(process.stdout, { line: line.lineNo, ...(id !== undefined ? { id } : {}), ...result });
      }
      if (!flags.quiet) process.stderr.write(summary.render());
    });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
