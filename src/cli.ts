/**
 * Command-line entry point: wires the subcommands and maps failures to exit
 * codes. Data goes to stdout, diagnostics to stderr.
 */
import { Command, CommanderError } from 'commander';
import { registerTrace } from './commands/trace.js';
import { registerInstrument } from './commands/instrument.js';
import { registerBuild } from './commands/build.js';
import { registerMerge } from './commands/merge.js';
import { registerScore } from './commands/score.js';
import { registerDoctor } from './commands/doctor.js';
import { VERSION } from './version.js';
import { UsageError, InputError, SandboxUnavailableError, EXIT } from './errors.js';


export function buildProgram(): Command {
  const program = new Command('coderl-trace')
    .description('Build execution-semantics alignment datasets (CodeRL+) from RL rollouts of Python and JavaScript programs.')
    .version(VERSION, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerBuild(program);
  registerMerge(program);
  registerTrace(program);
  registerScore(program);
  registerInstrument(program);
  registerDoctor(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here with code 0; usage errors were already printed.
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (err instanceof UsageError) return fail(err.message, EXIT.usage);
    if (err instanceof InputError) return fail(err.message, EXIT.input);
    if (err instanceof SandboxUnavailableError) return fail(err.message, EXIT.sandbox);
    throw err;
  }
}

function fail(message: string, code: number): number {
  process.stderr.write(`coderl-trace: ${message}\n`);
  return code;
}
