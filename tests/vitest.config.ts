import { defineConfig } from 'vitest/config';

// Tests run real python3/node subprocesses, so timeouts are generous and the
// pool is limited to the machine's cores.
export default defineConfig({
  test: {
    root: new URL('..', import.meta.url).pathname,
    include: ['tests/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
