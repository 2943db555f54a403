import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';

/** Where and when a run happened: printed above every run, since figures only compare within one. */
export interface Machine {
  cores: number;
  cpu: string;
  memoryGiB: number;
  node: string;
  platform: string;
  /**
   * The 1-minute load average at the start: above the core count, something else was running and
   * the figures are noisier than usual.
   */
  load: number;
  date: string;
}

/** The machine this process runs on, now. */
export function describeMachine(now: Date = new Date()): Machine {
  return {
    cores: availableParallelism(),
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    load: loadavg()[0] ?? 0,
    date: now.toISOString(),
  };
}

/** One line: `2 cores (AMD EPYC …), 24 GiB, Node v24.21.0, linux x64, load 0.31, 2025-…Z`. */
export function formatMachine(machine: Machine): string {
  return (
    `${machine.cores} cores (${machine.cpu}), ${machine.memoryGiB} GiB, Node ${machine.node}, ` +
    `${machine.platform}, load ${machine.load.toFixed(2)}, ${machine.date}`
  );
}
