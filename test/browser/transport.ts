import type { RecordedRequest, ScriptedResponse } from '@triage/testing/node';
import { commands } from 'vitest/browser';
import type { Transport } from '../conformance/transport.ts';

declare module 'vitest/browser' {
  interface BrowserCommands {
    startScripted(script: ScriptedResponse[], thereafter: ScriptedResponse): Promise<string>;
    scriptedRequests(url: string): Promise<RecordedRequest[]>;
    closeScripted(url: string): Promise<void>;
  }
}

/** A loopback server started by Node through browser commands, called from the page (CORS). */
export const browserLoopback: Transport = {
  name: 'loopback (from Chromium)',
  crossOrigin: true,
  async start(script, thereafter) {
    if (typeof script === 'function') throw new TypeError('browser scripts must be arrays');
    const url = await commands.startScripted([...script], thereafter);
    return {
      url,
      requests: () => commands.scriptedRequests(url),
      close: () => commands.closeScripted(url),
    };
  },
};
