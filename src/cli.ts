/**
 * Command-line entry point: wires the subcommands and maps failures to exit
 * codes. Data goes to stdout, diagnostics to stderr.
 */
import { Command, CommanderError } from 'commander';
import { VERSION } from './version.js';
import { UsageError, InputError, SandboxUnavailableError, EXIT } from './errors.js';


/**
 * Each command's module is imported only when it runs (or for --help):
 * `build` pulls in Parquet and tokenizers, which a `trace` need not wait for.
 */
const COMMANDS: [string, () => Promise<(program: Command) => void>][] = [
  ['build', async () => (await import('./commands/build.js')).registerBuild],
  ['merge', async () => (await import('./commands/merge.js')).registerMerge],
  ['trace', async () => (await import('./commands/trace.js')).registerTrace],
  ['score', async () => (await import('./commands/score.js')).registerScore],
  ['show', async () => (await import('./commands/show.js')).registerShow],
  ['stats', async () => (await import('./commands/stats.js')).registerStats],
  ['instrument', async () => (await import('./commands/instrument.js')).registerInstrument],
  ['doctor', async () => (await import('./commands/doctor.js')).registerDoctor],
  ['serve', async () => (await import('./commands/serve.js')).registerServe],
];

export async function buildProgram(argv: string[] = []): Promise<Command> {
  const program = new Command('coderl-trace')
    .description('Build execution-semantics alignment datasets (CodeRL+) from RL rollouts of Python and JavaScript programs.')
    .version(VERSION, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  const named = COMMANDS.find(([name]) => name === argv[2]);
  for (const [, load] of named ? [named] : COMMANDS) (await load())(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = await buildProgram(argv);
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
