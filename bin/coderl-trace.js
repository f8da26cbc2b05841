#!/usr/bin/env node
// Thin launcher: the CLI lives in the compiled TypeScript (npm run build).
import { main } from '../dist/src/cli.js';

main(process.argv).then(
  (code) => { process.exitCode = code; },
  (err) => {
    process.stderr.write(`coderl-trace: internal error: ${err?.stack ?? err}\n`);
    process.exitCode = 70;
  },
);
