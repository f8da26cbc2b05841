/**
 * The build flags, shared by `serve` (its own command line) and by each
 * request's "options" object, so a request means exactly what the same
 * flags mean to `build`.
 *
 * The flag list is taken from the `build` command itself (no second copy to
 * keep in step). Flags that configure the warm executors (jobs, Python,
 * sandbox, limits) are fixed when the server starts; flags that name output
 * files do not apply (answers carry everything).
 */
import { Command, CommanderError, type Option } from 'commander';
import { registerBuild, type BuildFlags } from '../commands/build.js';
import { addLimitOptions, addSandboxOptions } from '../run/limits.js';
import { UsageError } from '../errors.js';

/** Flags of `build` that `serve` has no use for. */
const OUTPUT_FLAGS = new Set(['output', 'rejects', 'stats', 'progress']);

/** Flags that shape the warm executors: set on `serve`'s command line only. */
export const SERVER_FLAGS: ReadonlySet<string> = new Set([
  'jobs', 'python',
  ...addSandboxOptions(addLimitOptions(new Command())).options.map((o) => o.attributeName()),
]);

/** The build options that make sense for `serve`. */
export function buildFlagOptions(): Option[] {
  const holder = new Command();
  registerBuild(holder);
  return holder.commands[0].options.filter((o) => !OUTPUT_FLAGS.has(o.attributeName()));
}

/**
 * A request's options ({"keep": "all", "tests_per_program": 2, "keep-errors":
 * true}) as flags: only those the request sets, to lay over the server's.
 * Throws UsageError for unknown, misspelt or server-only flags.
 */
export function requestFlags(options: unknown): Partial<BuildFlags> {
  if (options === undefined || options === null) return {};
  if (typeof options !== 'object' || Array.isArray(options)) throw new UsageError('"options" must be a JSON object of build flags');
  const known = buildFlagOptions();
  const argv: string[] = [];
  for (const [name, value] of Object.entries(options as Record<string, unknown>)) {
    const flag = name.replace(/_/g, '-').replace(/^--/, '');
    const option = known.find((o) => o.long === `--${flag}`);
    if (!option) throw new UsageError(`unknown build option "${name}"`);
    if (SERVER_FLAGS.has(option.attributeName())) throw new UsageError(`"${name}" is fixed when the server starts: pass --${flag} to \`coderl-trace serve\``);
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) {
      if (option.isBoolean()) {
        if (typeof v !== 'boolean') throw new UsageError(`"${name}" is a switch: give true or false`);
        if (v) argv.push(option.long!);
      } else {
        if (v === null || typeof v === 'object') throw new UsageError(`"${name}" needs a string or number`);
        argv.push(option.long!, String(v));
      }
    }
  }
  const cmd = new Command('options').exitOverride().configureOutput({ writeOut: () => {}, writeErr: () => {} }).allowExcessArguments(false);
  for (const option of known) cmd.addOption(option);
  try {
    cmd.parse(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) throw new UsageError(err.message.replace(/^error: /, ''));
    throw err;
  }
  const given = Object.entries(cmd.opts()).filter(([key]) => cmd.getOptionValueSource(key) === 'cli');
  return Object.fromEntries(given) as Partial<BuildFlags>;
}
