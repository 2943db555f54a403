import { defineConfig } from 'vitest/config';

// Tests run on `src/` through the `@triage/source` export condition, so the
// workspace needs no build before `pnpm test`.
// The rest are Vite's default server conditions.
const conditions = ['@triage/source', 'module', 'node', 'development|production'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts', 'examples/*/test/**/*.test.ts'],
    testTimeout: 20_000,
    // The JSON report feeds the closing line that .ci/run prints.
    reporters: ['default', 'json'],
    outputFile: { json: 'coverage/vitest-results.json' },
    coverage: {
      provider: 'v8',
      include: ['packages/*/src/**/*.ts'],
      reporter: ['text-summary', 'json-summary'],
    },
  },
});
