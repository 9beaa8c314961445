/**
 * The shared SDK clients: trimmed of per-request work, they must still sign every call with the
 * credentials it was sent with (calls of different accounts interleave on one client) and name
 * the tool in the User-Agent.
 */
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { HttpHandlerOptions } from '@smithy/types';
import type { HttpRequest } from '@smithy/protocol-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientFactory, TRIMMED_MIDDLEWARE } from '../../src/aws/clientFactory.js';
import { toolVersion } from '../../src/version.js';
import { startSimulator } from '../../src/simulator/index.js';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { parametersFor } from '../helpers/harness.js';
import { management, member } from '../helpers/simulatorClients.js';
import type { Keys } from '../helpers/simulatorClients.js';

let sim: RunningSimulator;
beforeAll(async () => {
  sim = await startSimulator({ accounts: 3, queuesPerAccount: 3, bucketsPerAccount: 2, regions: ['us-east-1'] });
});
afterAll(async () => sim.close());

function recordingHandler() {
  const inner = new NodeHttpHandler();
  const sent: Array<{ userAgent: string; accessKeyId: string | null }> = [];
  const handler = {
    handle(request: HttpRequest, options?: HttpHandlerOptions) {
      const auth = request.headers.authorization ?? '';
      sent.push({ userAgent: request.headers['user-agent'] ?? '', accessKeyId: /Credential=([^/]+)\//.exec(auth)?.[1] ?? null });
      return inner.handle(request, options);
    },
    destroy: () => inner.destroy(),
    updateHttpClientConfig: () => undefined,
    httpHandlerConfigs: () => ({}),
  };
  return { handler: handler as unknown as NodeHttpHandler, sent };
}

describe('ClientFactory', () => {
  it('the SDK still has the middleware the factory takes out (an SDK upgrade that renames one fails here)', () => {
    for (const client of [new SQSClient({ region: 'us-east-1' }), new S3Client({ region: 'us-east-1' })]) {
      const names = client.middlewareStack.identify().map((entry) => entry.split(' ')[0]);
      for (const name of TRIMMED_MIDDLEWARE) expect(names, `${name} is no longer in the SDK's stack`).toContain(name);
    }
  });

  it("signs interleaved calls of different accounts on one client with each call's own credentials", async () => {
    const accounts = [...sim.org.accounts.values()].filter((a) => a.id !== sim.managementAccountId && a.state === 'ACTIVE').slice(0, 2);
    const mgmt = await management(sim);
    const keys: Keys[] = [mgmt, ...(await Promise.all(accounts.map((a) => member(sim, a.id, mgmt))))];
    const { handler, sent } = recordingHandler();
    const factory = new ClientFactory(parametersFor(sim), handler);
    const calls: Array<Promise<unknown>> = [];
    for (let round = 0; round < 5; round++) {
      for (const k of keys) {
        const provider = async () => k;
        calls.push(factory.sqs(provider, 'us-east-1').send(new ListQueuesCommand({})));
        calls.push(factory.s3(provider, 'us-east-1').send(new ListBucketsCommand({})));
      }
    }
    // The simulator checks every signature: a call signed with another call's key fails.
    await Promise.all(calls);
    const expected = [];
    for (let round = 0; round < 5; round++) for (const k of keys) expected.push(k.accessKeyId, k.accessKeyId);
    expect(sent.map((s) => s.accessKeyId).sort()).toEqual(expected.sort());
  });

  it('names the tool and the SDK in the User-Agent', async () => {
    const { handler, sent } = recordingHandler();
    const factory = new ClientFactory(parametersFor(sim), handler);
    const mgmt = await management(sim);
    await factory.sqs(async () => mgmt, 'us-east-1').send(new ListQueuesCommand({}));
    await factory.s3(async () => mgmt, 'us-east-1').send(new ListBucketsCommand({}));
    for (const { userAgent } of sent) {
      expect(userAgent).toMatch(/^aws-sdk-js\/3\.\d+\.\d+ /);
      expect(userAgent).toContain('lang/js');
      expect(userAgent).toMatch(/api\/(sqs|s3)#3\./);
      expect(userAgent.endsWith(` aws-org-inventory/${toolVersion}`)).toBe(true);
    }
  });

  it('a gated call holds its slot only around the HTTP exchange: entered after its credentials, left once the body is read, before it is parsed', async () => {
    const events: string[] = [];
    const inner = new NodeHttpHandler();
    const handler = {
      async handle(request: HttpRequest, options?: HttpHandlerOptions) {
        events.push('sent');
        const out = await inner.handle(request, options);
        // The body is still a stream here: the gate must read it before leaving.
        out.response.body.once('end', () => events.push('body read'));
        return out;
      },
      destroy: () => inner.destroy(),
      updateHttpClientConfig: () => undefined,
      httpHandlerConfigs: () => ({}),
    } as unknown as NodeHttpHandler;
    const factory = new ClientFactory(parametersFor(sim), handler);
    const mgmt = await management(sim);
    const provider = async () => {
      events.push('credentials');
      return mgmt;
    };
    const gate = {
      enter: async () => {
        events.push('enter');
      },
      exit: () => events.push('exit'),
    };
    const calls = [
      () => factory.sqs(provider, 'us-east-1').gated(gate).send(new ListQueuesCommand({})),
      () => factory.s3(provider, 'us-east-1').gated(gate).send(new ListBucketsCommand({})),
    ];
    for (const call of calls) {
      events.length = 0;
      const out = await call();
      events.push('parsed');
      expect(out.$metadata.httpStatusCode).toBe(200);
      expect(events).toEqual(['credentials', 'enter', 'sent', 'body read', 'exit', 'parsed']);
    }
  });

  it('a gated call leaves its slot when the request fails, and an ungated call never touches a gate', async () => {
    const failing = {
      handle: () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })),
      destroy: () => undefined,
      updateHttpClientConfig: () => undefined,
      httpHandlerConfigs: () => ({}),
    } as unknown as NodeHttpHandler;
    const factory = new ClientFactory(parametersFor(sim), failing);
    const mgmt = await management(sim);
    const events: string[] = [];
    const gate = { enter: async () => void events.push('enter'), exit: () => void events.push('exit') };
    const sqs = factory.sqs(async () => mgmt, 'us-east-1');
    await expect(sqs.gated(gate).send(new ListQueuesCommand({}))).rejects.toThrow(/ECONNREFUSED/);
    expect(events).toEqual(['enter', 'exit']);
    events.length = 0;
    await expect(sqs.send(new ListQueuesCommand({}))).rejects.toThrow(/ECONNREFUSED/);
    expect(events).toEqual([]);
  });
});
