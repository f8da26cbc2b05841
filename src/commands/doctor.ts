/**
 * `coderl-trace doctor`: which interpreters and which sandbox protections
 * this machine gives, and why a protection is missing. Exit 0 when every
 * required protection is active, 4 (EXIT.sandbox) otherwise.
 */
import type { Command } from 'commander';
import { execFileSync } from 'node:child_process';
import { findInterpreters } from '../run/interpreters.js';
import { addSandboxOptions, sandboxFromFlags, type SandboxFlags } from '../run/limits.js';
import { checkSandbox, probeSandbox, PROTECTIONS, type SandboxReport } from '../run/sandbox.js';
import { EXIT, SandboxUnavailableError } from '../errors.js';

interface DoctorFlags extends SandboxFlags {
  json?: boolean;
  python?: string;
}

export function registerDoctor(program: Command): void {
  const cmd = program
    .command('doctor')
    .description('Report the interpreters found and which sandbox protections are active on this machine (and why not).')
    .option('--json', 'print the report as JSON')
    .option('--python <path>', 'Python interpreter (default: python3, or $CODERL_TRACE_PYTHON)');
  addSandboxOptions(cmd)
    .addHelpText('after', `
Exit status: 0 when every required protection is active, 4 when one is not
(runs would fail with the same error unless --allow-weak-sandbox is given).`)
    .action((flags: DoctorFlags) => {
      const options = sandboxFromFlags(flags);
      const interpreters = findInterpreters({ python: flags.python });
      const report = probeSandbox(interpreters, options.unsafe, true);
      let verdict: string;
      let code: number = EXIT.ok;
      try {
        const { warnings } = checkSandbox(report, options);
        verdict = warnings.length > 0 ? warnings.join('\n') : 'ok: every required protection is active';
      } catch (err) {
        if (!(err instanceof SandboxUnavailableError)) throw err;
        verdict = `FAIL: ${err.message}`;
        code = EXIT.sandbox;
      }
      const pythonCommand = flags.python ?? process.env.CODERL_TRACE_PYTHON ?? 'python3';
      if (flags.json) {
        process.stdout.write(JSON.stringify({ interpreters: { ...interpreters, pythonCommand: resolveCommand(pythonCommand) }, sandbox: report, required: options.require, verdict, exit_code: code }) + '\n');
      } else {
        process.stdout.write(render(report, interpreters, pythonCommand, options.require, verdict));
      }
      process.exitCode = code;
    });
}

function render(
  report: SandboxReport,
  interpreters: ReturnType<typeof findInterpreters>,
  pythonCommand: string,
  required: readonly string[],
  verdict: string,
): string {
  const lines: string[] = ['interpreters'];
  const via = resolveCommand(pythonCommand);
  lines.push(`  python      ${interpreters.python} (${interpreters.pythonVersion})${via && via !== interpreters.python ? `, found through ${via}` : ''}`);
  lines.push(`  node        ${interpreters.node} (${interpreters.nodeVersion})`);
  lines.push(`  bubblewrap  ${report.bwrap ?? 'not found (apt-get install bubblewrap: hides the host filesystem from runs)'}`);
  lines.push(`  running as  ${report.root ? 'root' : 'non-root'}`);
  lines.push('', `sandbox tier: ${report.tier ?? 'none works'}`);
  for (const attempt of report.attempts) {
    if (!attempt.ok) lines.push(`  (${attempt.tier} tier unavailable: ${attempt.error})`);
  }
  lines.push('', 'protections');
  for (const name of PROTECTIONS) {
    const p = report.protections[name];
    const mark = p.active ? '[x]' : '[ ]';
    const need = required.includes(name) ? 'required' : 'optional';
    lines.push(`  ${mark} ${name.padEnd(9)} ${need.padEnd(9)} ${p.description}`);
    if (!p.active) lines.push(`      why not: ${p.why_not}`);
  }
  lines.push('', verdict, '');
  return lines.join('\n');
}

/** Where a command name resolves on PATH (to show the shim behind `python3`). */
function resolveCommand(command: string): string | null {
  if (command.includes('/')) return command;
  try {
    return execFileSync('sh', ['-c', 'command -v "$1"', 'sh', command], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}
