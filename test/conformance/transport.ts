import type {
  RecordedRequest,
  ScriptedResponse,
  ScriptedServerOptions,
} from '@triage/testing/node';

/** A scripted vendor the suite talks to, wherever it runs. */
export interface TransportServer {
  url: string;
  /** Requests received so far. */
  requests(): Promise<RecordedRequest[]>;
  close(): Promise<void>;
}

/** Where a scenario's scripted vendor answers: a loopback server, or msw interception. */
export interface Transport {
  name: string;
  start(
    script: ScriptedServerOptions['script'],
    thereafter: ScriptedResponse,
  ): Promise<TransportServer>;
}
