/** SQS's older query protocol, as older SDKs and CLIs send it: form-encoded actions, XML answers and errors. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { XMLParser } from 'fast-xml-parser';
import { SignatureV4 } from '@smithy/signature-v4';
import { HttpRequest } from '@smithy/protocol-http';
import { startSimulator } from '../../src/simulator/index.js';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { NodeSha256 } from '../../src/simulator/sigv4.js';
import type { Keys } from '../helpers/simulatorClients.js';
import * as clients from '../helpers/simulatorClients.js';

let sim: RunningSimulator;
let mgmt: Keys;
const xml = new XMLParser({ isArray: (name, jpath) => ['Attribute', 'Tag'].includes(name) || String(jpath) === 'ListQueuesResponse.ListQueuesResult.QueueUrl' });

beforeAll(async () => {
  sim = await startSimulator({ seed: 8, accounts: 1, queuesPerAccount: 6, bucketsPerAccount: 0 });
  mgmt = await clients.management(sim);
});
afterAll(() => sim.close());

async function query(params: Record<string, string>, region = 'us-east-1', path = '/'): Promise<{ status: number; body: Record<string, Record<string, unknown>> }> {
  const body = new URLSearchParams({ Version: '2012-11-05', ...params }).toString();
  const signer = new SignatureV4({ service: 'sqs', region, credentials: mgmt, sha256: NodeSha256 });
  const signed = await signer.sign(
    new HttpRequest({
      method: 'POST',
      protocol: 'http:',
      hostname: '127.0.0.1',
      port: sim.port,
      path,
      headers: { host: `127.0.0.1:${sim.port}`, 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
      body,
    }),
  );
  const response = await fetch(`${sim.url}${path}`, { method: 'POST', headers: signed.headers, body });
  return { status: response.status, body: xml.parse(await response.text()) as Record<string, Record<string, unknown>> };
}

it('lists queues, pages with MaxResults, and reads attributes and tags in XML', async () => {
  const expected = sim.org.queuesIn(sim.managementAccountId, 'us-east-1');
  const all = await query({ Action: 'ListQueues' });
  expect(all.status).toBe(200);
  const urls = (all.body.ListQueuesResponse?.ListQueuesResult as { QueueUrl: string[] }).QueueUrl;
  expect(urls).toEqual(expected.map((q) => `https://sqs.us-east-1.amazonaws.com/${sim.managementAccountId}/${q.name}`));
  const page = await query({ Action: 'ListQueues', MaxResults: '1' });
  expect((page.body.ListQueuesResponse?.ListQueuesResult as { NextToken?: string }).NextToken).toBeTypeOf('string');

  const tagged = expected.find((q) => Object.keys(q.tags).length > 0);
  const url = `https://sqs.us-east-1.amazonaws.com/${sim.managementAccountId}/${tagged?.name}`;
  const attributes = await query({ Action: 'GetQueueAttributes', QueueUrl: url, 'AttributeName.1': 'All' });
  const pairs = (attributes.body.GetQueueAttributesResponse?.GetQueueAttributesResult as { Attribute: { Name: string; Value: unknown }[] }).Attribute;
  expect(pairs.find((a) => a.Name === 'QueueArn')?.Value).toBe(`arn:aws:sqs:us-east-1:${sim.managementAccountId}:${tagged?.name}`);
  // Older clients post to the queue URL itself instead of naming it.
  const tags = await query({ Action: 'ListQueueTags' }, 'us-east-1', `/${sim.managementAccountId}/${tagged?.name}`);
  const tagList = (tags.body.ListQueueTagsResponse?.ListQueueTagsResult as { Tag: { Key: string; Value: string }[] }).Tag;
  expect(Object.fromEntries(tagList.map((t) => [t.Key, t.Value]))).toEqual(tagged?.tags);
});

it('creates a queue with attributes and tags, and answers errors in the query error shape', async () => {
  const created = await query({ Action: 'CreateQueue', QueueName: 'legacy', 'Attribute.1.Name': 'VisibilityTimeout', 'Attribute.1.Value': '99', 'Tag.1.Key': 'k', 'Tag.1.Value': 'v' });
  expect((created.body.CreateQueueResponse?.CreateQueueResult as { QueueUrl: string }).QueueUrl).toBe(`https://sqs.us-east-1.amazonaws.com/${sim.managementAccountId}/legacy`);
  const queue = sim.org.queue(sim.managementAccountId, 'us-east-1', 'legacy');
  expect(queue?.attributes.VisibilityTimeout).toBe('99');
  expect(queue?.tags).toEqual({ k: 'v' });
  const missing = await query({ Action: 'GetQueueUrl', QueueName: 'nope' });
  expect(missing.status).toBe(400);
  expect(missing.body.ErrorResponse?.Error).toMatchObject({ Type: 'Sender', Code: 'AWS.SimpleQueueService.NonExistentQueue' });
});
