/** SQS writes through the SDK: queue lifecycle, attributes, tags, and messages with per-entry batch results. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListQueueTagsCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  TagQueueCommand,
  UntagQueueCommand,
} from '@aws-sdk/client-sqs';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { startSimulator } from '../../src/simulator/index.js';
import type { RunningSimulator } from '../../src/simulator/index.js';
import * as clients from '../helpers/simulatorClients.js';

let sim: RunningSimulator;
let client: SQSClient;

beforeAll(async () => {
  sim = await startSimulator({ seed: 9, accounts: 1, queuesPerAccount: 0, bucketsPerAccount: 0 });
  client = clients.sqs(sim, await clients.management(sim), 'eu-west-1');
});
afterAll(() => sim.close());

it('creates, configures, tags and deletes a queue, and the model follows', async () => {
  const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: 'orders', Attributes: { VisibilityTimeout: '45' }, tags: { team: 'shop' } }));
  expect(QueueUrl).toBe(`https://sqs.eu-west-1.amazonaws.com/${sim.managementAccountId}/orders`);
  // Creating it again with the same attributes is idempotent; with others it is refused.
  expect((await client.send(new CreateQueueCommand({ QueueName: 'orders', Attributes: { VisibilityTimeout: '45' } }))).QueueUrl).toBe(QueueUrl);
  expect((await clients.failure(client.send(new CreateQueueCommand({ QueueName: 'orders', Attributes: { VisibilityTimeout: '46' } })))).name).toBe('QueueNameExists');
  await client.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { DelaySeconds: '5' } }));
  await client.send(new TagQueueCommand({ QueueUrl, Tags: { env: 'prod' } }));
  await client.send(new UntagQueueCommand({ QueueUrl, TagKeys: ['team'] }));
  const { Attributes } = await client.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['VisibilityTimeout', 'DelaySeconds', 'QueueArn'] }));
  expect(Attributes).toEqual({ QueueArn: `arn:aws:sqs:eu-west-1:${sim.managementAccountId}:orders`, VisibilityTimeout: '45', DelaySeconds: '5' });
  expect((await client.send(new ListQueueTagsCommand({ QueueUrl }))).Tags).toEqual({ env: 'prod' });
  expect(sim.org.queue(sim.managementAccountId, 'eu-west-1', 'orders')?.attributes.DelaySeconds).toBe('5');
  await client.send(new DeleteQueueCommand({ QueueUrl }));
  const gone = await clients.failure(client.send(new GetQueueUrlCommand({ QueueName: 'orders' })));
  expect(gone.name).toBe('QueueDoesNotExist');
  expect(gone.Code).toBe('AWS.SimpleQueueService.NonExistentQueue');
});

it('sends, receives and deletes messages; batches report each entry', async () => {
  const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: 'small', Attributes: { MaximumMessageSize: '1024' } }));
  const sent = await client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'hello' }));
  expect(sent.MD5OfMessageBody).toBe('5d41402abc4b2a76b9719d911017c592');
  const batch = await client.send(
    new SendMessageBatchCommand({
      QueueUrl,
      Entries: [
        { Id: 'ok', MessageBody: 'second' },
        { Id: 'too-big', MessageBody: 'x'.repeat(2000) },
      ],
    }),
  );
  expect(batch.Successful?.map((e) => e.Id)).toEqual(['ok']);
  expect(batch.Failed?.map((e) => [e.Id, e.Code, e.SenderFault])).toEqual([['too-big', 'InvalidParameterValue', true]]);
  const received = await client.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
  expect(received.Messages?.map((m) => m.Body)).toEqual(['hello', 'second']);
  // Received messages are invisible until their visibility timeout ends.
  expect((await client.send(new ReceiveMessageCommand({ QueueUrl }))).Messages).toBeUndefined();
  const counts = await client.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessagesNotVisible'] }));
  expect(counts.Attributes?.ApproximateNumberOfMessagesNotVisible).toBe('2');
  const [first, second] = received.Messages ?? [];
  await client.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: first?.ReceiptHandle }));
  const deleted = await client.send(
    new DeleteMessageBatchCommand({
      QueueUrl,
      Entries: [
        { Id: 'a', ReceiptHandle: second?.ReceiptHandle },
        { Id: 'b', ReceiptHandle: first?.ReceiptHandle },
      ],
    }),
  );
  expect(deleted.Successful?.map((e) => e.Id)).toEqual(['a']);
  expect(deleted.Failed?.map((e) => [e.Id, e.Code])).toEqual([['b', 'ReceiptHandleIsInvalid']]);
  await client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'purge me' }));
  await client.send(new PurgeQueueCommand({ QueueUrl }));
  expect((await client.send(new ReceiveMessageCommand({ QueueUrl }))).Messages).toBeUndefined();
});

it('requires a message group on FIFO queues', async () => {
  const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: 'jobs.fifo', Attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'true' } }));
  expect((await clients.failure(client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x' })))).name).toBe('MissingParameter');
  const sent = await client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x', MessageGroupId: 'g' }));
  expect(sent.SequenceNumber).toMatch(/^\d{20}$/);
  const name = await clients.failure(client.send(new CreateQueueCommand({ QueueName: 'not-fifo.fifo' })));
  expect(name.name).toBe('InvalidParameterValue');
});
