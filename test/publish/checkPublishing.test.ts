/** `test-connection` checks the events queue when `publish` is set. */
import { afterEach, describe, expect, it } from 'vitest';
import { testConnection } from '../../src/diagnostics/testConnection.js';
import { MEMBER_ROLE_NAME, startSimulator } from '../../src/simulator/index.js';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { collectLogs, parametersFor } from '../helpers/harness.js';

let sim: RunningSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function withQueue(name: string, accountId?: string, attributes: Record<string, string> = {}): Promise<RunningSimulator> {
  const s = await startSimulator({ accounts: 2, queuesPerAccount: 0, bucketsPerAccount: 0 });
  s.org.addQueue({
    name,
    accountId: accountId ?? s.managementAccountId,
    region: 'eu-west-1',
    fifo: name.endsWith('.fifo'),
    createdTimestamp: 1_700_000_000,
    lastModifiedTimestamp: 1_700_000_000,
    attributes: { ...(name.endsWith('.fifo') ? { FifoQueue: 'true' } : {}), ...attributes },
    tags: {},
    backlog: { visible: 4, notVisible: 0, delayed: 0 },
    messages: [],
  });
  return s;
}

describe('test-connection with publish', () => {
  it('looks the queue up by name and reads its attributes', async () => {
    sim = await withQueue('events.fifo');
    const report = await testConnection(parametersFor(sim, { publish: { sqs_queue_name: 'events.fifo', region: 'eu-west-1' } }), collectLogs().logger);
    expect(report.exitCode).toBe(0);
    const queueUrl = sim.queueUrl(sim.managementAccountId, 'eu-west-1', 'events.fifo');
    expect(report.checks.slice(-2)).toEqual([
      { step: 'sqs:GetQueueUrl events.fifo (eu-west-1)', status: 'PASS', detail: queueUrl },
      { step: `sqs:GetQueueAttributes ${queueUrl}`, status: 'PASS', detail: 'FIFO queue, messages up to 1048576 bytes, 4 waiting' },
    ]);
  });

  it('fails with AWS’s message when the queue does not exist, and exits 1', async () => {
    sim = await withQueue('events');
    const report = await testConnection(parametersFor(sim, { publish: { sqs_queue_name: 'missing', region: 'eu-west-1' } }), collectLogs().logger);
    expect(report.exitCode).toBe(3);
    expect(report.checks.at(-2)).toMatchObject({ step: 'sqs:GetQueueUrl missing (eu-west-1)', status: 'FAIL', detail: 'AWS.SimpleQueueService.NonExistentQueue: The specified queue does not exist.' });
    expect(report.checks.at(-1)).toMatchObject({ status: 'SKIP' });
  });

  it('assumes the publishing role and warns about a queue with a smaller message size', async () => {
    sim = await startSimulator({ accounts: 2, queuesPerAccount: 0, bucketsPerAccount: 0 });
    const member = [...sim.org.accounts.keys()].find((id) => id !== sim?.managementAccountId) ?? '';
    await sim.close();
    sim = await withQueue('events', member, { MaximumMessageSize: '1024' });
    const roleArn = `arn:aws:iam::${member}:role/${MEMBER_ROLE_NAME}`;
    const report = await testConnection(parametersFor(sim, { publish: { sqs_queue_url: `${sim.url}/${member}/events`, region: 'eu-west-1', role_arn: roleArn } }), collectLogs().logger);
    expect(report.exitCode).toBe(0);
    const [role, attributes] = report.checks.slice(-2);
    expect(role).toMatchObject({ step: `assume publish.role_arn ${roleArn} (ExternalId none)`, status: 'PASS', arn: `arn:aws:sts::${member}:assumed-role/${MEMBER_ROLE_NAME}/aws-org-inventory` });
    expect(attributes).toMatchObject({ status: 'PASS', detail: 'standard queue, messages up to 1024 bytes, 4 waiting' });
    expect(attributes?.hint).toContain("set the queue's MaximumMessageSize to 262144");
  });

  it('reports a publishing role that cannot be assumed, without calling the queue', async () => {
    sim = await withQueue('events');
    const report = await testConnection(
      parametersFor(sim, { publish: { sqs_queue_name: 'events', region: 'eu-west-1', role_arn: `arn:aws:iam::${sim.managementAccountId}:role/NoSuchPublisher` } }),
      collectLogs().logger,
    );
    expect(report.exitCode).toBe(3);
    expect(report.checks.slice(-3).map((c) => c.status)).toEqual(['FAIL', 'SKIP', 'SKIP']);
    expect(report.checks.at(-3)?.detail).toContain('NoSuchPublisher');
  });
});
