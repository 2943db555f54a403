/** The benchmarks `pnpm bench` knows, in the order it runs them. */
export const BENCHMARKS = ['storm', 'rate', 'overhead', 'classify'] as const;

/** One benchmark's name. */
export type BenchmarkName = (typeof BENCHMARKS)[number];

/** What the command line asked for. */
export interface BenchArgs {
  /** The benchmarks to run, in `BENCHMARKS` order. */
  selected: BenchmarkName[];
  /** A smaller run for smoke tests: its figures mean nothing. */
  quick: boolean;
  /** Let a peer that would take minutes (p-retry with its defaults) finish instead of stopping it. */
  uncapped: boolean;
}

/** The usage line printed for a bad argument. */
export const USAGE = `usage: pnpm bench [${BENCHMARKS.join('|')} …] [--quick] [--uncapped]`;

function isBenchmark(value: string): value is BenchmarkName {
  return (BENCHMARKS as readonly string[]).includes(value);
}

/** Reads `process.argv.slice(2)`: benchmark names (none means all), `--quick`, `--uncapped`. */
export function parseArgs(argv: readonly string[]): BenchArgs {
  const named = new Set<BenchmarkName>();
  let quick = false;
  let uncapped = false;
  for (const arg of argv) {
    // `pnpm bench -- storm` passes the `--` through.
    if (arg === '--') continue;
    if (arg === '--quick') quick = true;
    else if (arg === '--uncapped') uncapped = true;
    else if (isBenchmark(arg)) named.add(arg);
    else throw new Error(`unknown argument ${JSON.stringify(arg)}\n${USAGE}`);
  }
  const selected = BENCHMARKS.filter((name) => named.size === 0 || named.has(name));
  return { selected, quick, uncapped };
}
