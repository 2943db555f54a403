// A relative import: the config loads before the `@triage/source` condition applies.

import type { BrowserCommand } from 'vitest/node';
import {
  type ScriptedResponse,
  type ScriptedServer,
  startScriptedServer,
} from '../../packages/testing/src/server/scripted-server.ts';

/**
 * Browser commands: the browser suite asks Node to start scripted loopback servers (with CORS),
 * read what they received, and close them. Scripts cross the boundary as data, so only array
 * scripts are possible here.
 */
const servers = new Map<string, ScriptedServer>();

const startScripted: BrowserCommand<
  [script: ScriptedResponse[], thereafter: ScriptedResponse]
> = async (_context, script, thereafter) => {
  const server = await startScriptedServer({ script, thereafter, cors: true });
  servers.set(server.url, server);
  return server.url;
};

const scriptedRequests: BrowserCommand<[url: string]> = async (_context, url) =>
  servers.get(url)?.requests ?? [];

const closeScripted: BrowserCommand<[url: string]> = async (_context, url) => {
  await servers.get(url)?.close();
  servers.delete(url);
};

export const commands: Record<string, BrowserCommand<never[]>> = {
  startScripted,
  scriptedRequests,
  closeScripted,
} as never;
