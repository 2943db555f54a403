import { existsSync } from 'node:fs';
import { playwright } from '@vitest/browser-playwright';
import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';
import { commands } from './test/browser/commands.ts';

// Tests run on `src/` through the `@triage/source` export condition, so the workspace needs no
// build before `pnpm test`. The rest are Vite's default server conditions.
const conditions = ['@triage/source', 'module', 'node', 'development|production'];
const browserConditions = ['@triage/source', 'module', 'browser', 'development|production'];

// Debian's Chromium (`apt-get install chromium`); .ci/run installs it. Without it the browser
// project cannot run: CI fails loudly, a developer's machine runs the Node projects only.
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const hasChromium = existsSync(chromium);
if (!hasChromium && process.env.CI === 'true') {
  throw new Error(`Chromium not found at ${chromium}: the browser conformance subset cannot run`);
}
if (!hasChromium) console.warn(`[triage] no Chromium at ${chromium}: browser tests not run`);

const node: TestProjectInlineConfiguration = {
  extends: true,
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    name: 'node',
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts', 'examples/*/test/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'test/browser/**'],
    // V8's ThreadIsolation write-protects JIT pages with memory protection keys where the CPU has
    // them (this machine's AMD EPYC does), and its page registry can desync under worker threads:
    // a clean-clone CI run on 2026-12-06 lost the whole fork running test/hardening/load.test.ts
    // (client and simulator on threads) to "Check failed: jit_page.has_value()" (SIGTRAP). A V8
    // flag, not allowed in NODE_OPTIONS, so it goes to the test workers here. Others hit the same
    // check and took the same way out (archestra-ai/archestra#6177).
    execArgv: ['--no-memory-protection-keys'],
  },
};

const browser: TestProjectInlineConfiguration = {
  extends: true,
  resolve: { conditions: browserConditions },
  test: {
    name: 'browser',
    include: ['test/browser/**/*.browser.test.ts'],
    browser: {
      enabled: true,
      headless: true,
      provider: playwright({
        launchOptions: {
          executablePath: chromium,
          // Flags for a closed network and a root user (see the machine notes).
          args: [
            '--no-sandbox',
            '--disable-gpu',
            '--disable-quic',
            '--no-first-run',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
          ],
        },
      }),
      instances: [{ browser: 'chromium' }],
      commands,
    },
  },
};

export default defineConfig({
  test: {
    testTimeout: 20_000,
    projects: hasChromium ? [node, browser] : [node],
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
