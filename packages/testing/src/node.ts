// Node-only helpers of @triage/testing: real servers on 127.0.0.1.
export {
  type RecordedRequest,
  type ScriptedResponse,
  type ScriptedServer,
  type ScriptedServerOptions,
  startScriptedServer,
} from './server/scripted-server.ts';
export {
  type StartVendorSimulatorOptions,
  startVendorSimulator,
  type VendorSimulator,
} from './simulators/server.ts';
