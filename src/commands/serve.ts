/**
 * `coderl-trace serve [build options]`: build requests on stdin, answers on
 * stdout, executors kept warm (protocol in src/serve/server.ts).
 */
import type { Command } from 'commander';
import { BuildServer, type ServeFlags } from '../serve/server.js';
import { buildFlagOptions } from '../serve/options.js';

const EXAMPLES = `
Protocol (one JSON object per line each way, answers in request order):
  request  {"id": 7, "rollouts": [<rows any format build reads>], "options": {"keep": "all"}}
  answer   {"id": 7, "tasks": [...], "rejects": [...], "stats": {...}}
  error    {"id": 7, "error": {"code": "usage", "message": "..."}}   (the server keeps serving)
"options" take the build flags' names (tests-per-program or tests_per_program); the flags
given to serve are every request's defaults. --jobs, --python, the limits and the sandbox
are fixed at start. Deduplication is per request unless "dedup-across-requests": true.

Examples:
  $ coderl-trace serve --keep failed --format verl
  $ echo '{"id":1,"rollouts":[{"input":"...","output":"...","gts":"...","score":0}]}' | coderl-trace serve
  $ python3 -c 'from coderl_trace import Builder; print(Builder().build(rows).tasks)'

Exit status: 0 at the end of stdin or on SIGTERM (no process left behind),
2 on usage errors in serve's own flags, 4 when a required sandbox protection is unavailable.`;

export function registerServe(program: Command): void {
  const cmd = program
    .command('serve')
    .description('Long-lived build for training loops: JSON-lines requests on stdin, tasks and rejects on stdout.')
    .option('--dedup-across-requests', 'drop duplicates against earlier requests too (default: per request)');
  for (const option of buildFlagOptions()) cmd.addOption(option);
  cmd.addHelpText('after', EXAMPLES).action(async (flags: ServeFlags) => {
    const server = await BuildServer.start(flags);
    let stopping: Promise<void> | null = null;
    const stop = (graceMs: number) => (stopping ??= server.shutdown(graceMs));
    // SIGTERM: kill the runs now; wait for them so nothing is left behind.
    const onTerm = () => { process.stdin.destroy(); void stop(0).then(() => process.exit(0)); };
    process.once('SIGTERM', onTerm);
    process.once('SIGINT', onTerm);
    try {
      await server.serve(process.stdin, process.stdout);
    } finally {
      await stop(5000);
      process.off('SIGTERM', onTerm);
      process.off('SIGINT', onTerm);
    }
  });
}
