// `pnpm bench [storm|rate|overhead|classify …] [--quick] [--uncapped]`: runs the benchmarks in one
// process and prints one Markdown table per benchmark, with the machine and the date above them.
import { runClassify } from './classify.ts';
import { runOverhead } from './overhead.ts';
import { runRate } from './rate.ts';
import { runStorm } from './storm.ts';
import { type BenchmarkName, parseArgs } from './support/args.ts';
import { describeMachine, formatMachine } from './support/machine.ts';
import { type BenchmarkReport, renderReport } from './support/report.ts';

type Runner = (options: {
  quick: boolean;
  uncapped: boolean;
  log: (line: string) => void;
}) => Promise<BenchmarkReport<unknown>>;

const RUNNERS: Record<BenchmarkName, Runner> = {
  storm: runStorm,
  rate: runRate,
  overhead: runOverhead,
  classify: runClassify,
};

let args: ReturnType<typeof parseArgs>;
try {
  args = parseArgs(process.argv.slice(2));
} catch (error) {
  // A typo is the user's, not a crash: the message and the usage line, no stack.
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(2);
}
const command = ['pnpm bench', ...process.argv.slice(2)].join(' ');
console.log(
  `## triage benchmarks\n\n- command: \`${command}\`\n- machine: ${formatMachine(describeMachine())}`,
);
if (args.quick) console.log('- --quick: a smoke run; its figures mean nothing');

// Progress goes to stderr, so stdout is the report alone.
const log = (line: string): void => console.error(`  … ${line}`);
const started = performance.now();
for (const name of args.selected) {
  const report = await RUNNERS[name]({ quick: args.quick, uncapped: args.uncapped, log });
  console.log(`\n${renderReport(report, args.quick)}`);
}
console.log(`\n(total ${((performance.now() - started) / 1000).toFixed(1)} s)`);
