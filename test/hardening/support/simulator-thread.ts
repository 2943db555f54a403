// Runs a vendor simulator on its own thread (Node strips the types of this file and of the
// workspace's sources, found through the `@triage/source` condition), so that the vendor and the
// clients under test use separate cores, as they would over a network.
import { parentPort, workerData } from 'node:worker_threads';
import type { SimulatedResponse } from '@triage/testing';
import { type StartVendorSimulatorOptions, startVendorSimulator } from '@triage/testing/node';

const { options, script } = workerData as {
  options: StartVendorSimulatorOptions;
  script: SimulatedResponse[];
};
const simulator = await startVendorSimulator(options);
simulator.enqueue(...script);
parentPort?.postMessage({ url: simulator.url });
parentPort?.once('message', async () => {
  const counters = structuredClone(simulator.counters);
  await simulator.close();
  parentPort?.postMessage({ counters });
});
