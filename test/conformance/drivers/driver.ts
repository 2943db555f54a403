import type { TriageOptions, TriageRequestOptions } from '@triage/core';

/** A request as every adapter is asked to make it. */
export interface DriverRequest {
  url: string;
  method: string;
  body?: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  triage?: TriageRequestOptions;
}

/** A success as every adapter reports it: the status and the body the caller can read. */
export interface DriverResult {
  status: number;
  text: string;
}

/** The options every adapter takes: the core options, and how much of a body classification reads. */
export interface DriverOptions extends TriageOptions {
  maxClassifyBytes?: number;
}

/** One adapter under test: makes a client from triage options and sends requests with it. */
export interface Driver {
  name: 'fetch' | 'axios' | 'ky';
  create(options: DriverOptions): (request: DriverRequest) => Promise<DriverResult>;
}
