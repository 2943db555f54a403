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
  /**
   * Requests cross an origin, so credential headers make the browser send a CORS preflight
   * first. The actual request then goes over the preflight's kept-alive connection, and when the
   * server resets it, Chromium resends the request by itself (POST included), below fetch: the
   * scenarios' attempt counts would no longer be triage's. The runner sends no credential headers
   * there (the `api_key` query parameter still goes).
   */
  crossOrigin?: boolean;
  start(
    script: ScriptedServerOptions['script'],
    thereafter: ScriptedResponse,
  ): Promise<TransportServer>;
}
