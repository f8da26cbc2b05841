/**
 * `coderl-trace stats FILE...`: what a build produced, before training on it.
 */
import type { Command } from 'commander';
import { collect } from '../report/collect.js';
import { sections } from '../report/sections.js';
import { renderSummary } from '../report/summary.js';
import { renderHtml } from '../report/html.js';
import { loadTokenCounter } from '../build/tokens.js';
import { writeFileAtomic } from '../output-file.js';
import { writeJsonl } from '../jsonl.js';

interface StatsFlags {
  json?: boolean;
  html?: string;
  tokenizer?: string;
  title?: string;
}

export function registerStats(program: Command): void {
  program
    .command('stats')
    .description('Summarise tasks, traces, rejects or a build\'s --stats JSON: terminal summary, --json, or an HTML report.')
    .argument('<files...>', 'JSONL of tasks (any --format), traces or rejects, or --stats JSON files; - for stdin')
    .option('--json', 'print the figures as one JSON object instead of the summary')
    .option('--html <file>', 'also write a self-contained HTML report (inline SVG charts, nothing fetched)')
    .option('--tokenizer <file>', 'Hugging Face tokenizer.json for exact token counts (default: approximate)')
    .option('--title <text>', 'title of the HTML report', 'coderl-trace dataset report')
    .addHelpText('after', `
Files are recognised record by record: Trace records, task records (verl,
messages, prompt-completion, openrlhf), reject lines (--rejects) and
--stats JSON (several add up, e.g. the shards of one build).

Examples:
  $ coderl-trace stats tasks.jsonl rejects.jsonl stats.json
  $ coderl-trace stats tasks.jsonl --html report.html
  $ coderl-trace stats tasks.jsonl --json --tokenizer tokenizer.json | jq .tasks.prompt_tokens

Exit status: 0 done, 2 usage error, 3 an input cannot be read or is not JSON lines.`)
    .action(async (files: string[], flags: StatsFlags) => {
      const countTokens = await loadTokenCounter(flags.tokenizer);
      const report = await collect(files, countTokens, flags.tokenizer ? `tokenizer ${flags.tokenizer}` : 'approximate');
      const all = sections(report);
      if (flags.html) await writeFileAtomic(flags.html, renderHtml(all, flags.title ?? 'coderl-trace dataset report'));
      if (flags.json) await writeJsonl(process.stdout, report);
      else process.stdout.write(renderSummary(all));
    });
}
