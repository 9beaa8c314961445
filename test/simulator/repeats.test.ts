/** `trackRepeats`: the counters name requests that repeat an earlier successful one, so benchmarks can prove a crawl redundant-free. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { GetQueueAttributesCommand, ListQueuesCommand } from '@aws-sdk/client-sqs';
import { GetBucketTaggingCommand, GetBucketVersioningCommand } from '@aws-sdk/client-s3';
import { startSimulator } from '../../src/simulator/index.js';
import type { RunningSimulator } from '../../src/simulator/index.js';
import * as clients from '../helpers/simulatorClients.js';

let sim: RunningSimulator;

beforeAll(async () => {
  sim = await startSimulator({ seed: 4, accounts: 1, queuesPerAccount: 6, bucketsPerAccount: 6, trackRepeats: true });
});
afterAll(() => sim.close());

it('counts a successful request identical to an earlier one (same account, region, operation, parameters) and nothing else', async () => {
  const mgmt = await clients.management(sim);
  sim.resetCounters();
  const east = clients.sqs(sim, mgmt, 'us-east-1');
  const west = clients.sqs(sim, mgmt, 'eu-west-1');
  const urls = (await east.send(new ListQueuesCommand({ MaxResults: 1000 }))).QueueUrls ?? [];
  await west.send(new ListQueuesCommand({ MaxResults: 1000 })); // another region: not a repeat
  await east.send(new ListQueuesCommand({ MaxResults: 1000 })); // a repeat
  for (const QueueUrl of urls) await east.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }));
  await east.send(new GetQueueAttributesCommand({ QueueUrl: urls[0], AttributeNames: ['All'] })); // a repeat
  await east.send(new GetQueueAttributesCommand({ QueueUrl: urls[0], AttributeNames: ['QueueArn'] })); // other parameters

  const bucket = sim.org.bucketsOf(sim.managementAccountId).find((b) => b.region === 'us-east-1' && !b.tags);
  const s3 = clients.s3(sim, mgmt);
  await s3.send(new GetBucketVersioningCommand({ Bucket: bucket?.name }));
  // Failed answers (here NoSuchTagSet) are not work done, so they never count as repeats.
  await clients.failure(s3.send(new GetBucketTaggingCommand({ Bucket: bucket?.name })));
  await clients.failure(s3.send(new GetBucketTaggingCommand({ Bucket: bucket?.name })));

  expect(sim.counters().repeated).toEqual({ sqs: { ListQueues: 1, GetQueueAttributes: 1 } });
  sim.resetCounters();
  await east.send(new ListQueuesCommand({ MaxResults: 1000 }));
  expect(sim.counters().repeated).toEqual({});
});
