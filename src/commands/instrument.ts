import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { instrument } from '../instrument/index.js';
import { detectLanguage } from '../instrument/language.js';
import { InputError } from '../errors.js';

export function registerInstrument(program: Command): void {
  program
    .command('instrument')
    .description('Print the instrumented source of one program (for debugging the instrumenter).')
    .argument('<file>', 'program file (.py or .js), or - for stdin')
    .option('-l, --language <language>', 'python or javascript (default: from the file name, else from the content)')
    .option('--probes', 'print the probe table as JSON after the source, on stderr')
    .addHelpText('after', `
Examples:
  $ coderl-trace instrument solution.py
  $ cat prog.js | coderl-trace instrument - --language javascript --probes`)
    .action(async (file: string, opts: { language?: string; probes?: boolean }) => {
      const source = await readSource(file);
      const language = detectLanguage(source, file, opts.language);
      const result = await instrument(language, source);
      if (result.code === null) throw new InputError(`cannot instrument ${file}: ${result.problem}`);
      process.stdout.write(result.code.endsWith('\n') ? result.code : result.code + '\n');
      if (opts.probes) process.stderr.write(JSON.stringify(result.probes) + '\n');
    });
}

export async function readSource(file: string): Promise<string> {
  try {
    if (file === '-') {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    }
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new InputError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}
