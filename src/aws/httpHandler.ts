import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { Parameters } from '../parameters/schema.js';

/**
 * One keep-alive HTTP handler for every client of a run: connections are reused across
 * accounts and regions, and there are enough sockets for the concurrency asked for.
 */
export function defaultRequestHandler(params: Pick<Parameters, 'concurrency'>): NodeHttpHandler {
  const agentOptions = { keepAlive: true, maxSockets: Math.max(50, params.concurrency * 2) };
  return new NodeHttpHandler({
    httpAgent: new HttpAgent(agentOptions),
    httpsAgent: new HttpsAgent(agentOptions),
    connectionTimeout: 10_000,
    requestTimeout: 60_000,
  });
}
