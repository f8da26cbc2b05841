/** Peak RSS of one CLI command, run in a child process of its own. */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface CliRun {
  /** Peak resident set size of the child, in kB (getrusage). */
  kb: number;
  seconds: number;
  code: number;
  stderr: string;
}

/** Runs `coderl-trace ARGS` (compiled, from `root`/dist) with stdout discarded; `dir` holds the wrapper. */
export function measureCli(root: string, dir: string, args: string[]): Promise<CliRun> {
  const wrapper = join(dir, 'measure.mjs');
  writeFileSync(wrapper, `import { main } from ${JSON.stringify(join(root, 'dist/src/cli.js'))};\nconst code = await main(process.argv);\nprocess.stderr.write('MAXRSS ' + process.resourceUsage().maxRSS + '\\n');\nprocess.exitCode = code;\n`);
  const t0 = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [wrapper, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ kb: Number(/MAXRSS (\d+)/.exec(stderr)?.[1] ?? NaN), seconds: (performance.now() - t0) / 1000, code: code ?? -1, stderr }));
  });
}
