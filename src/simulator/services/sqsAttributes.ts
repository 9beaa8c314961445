/** SQS queue attributes: SQS's defaults, which ones a caller may set, and the full set AWS reports. */
import type { SimQueue } from '../organization.js';

/** SQS's defaults for the settable attributes. */
export const DEFAULTS: Record<string, string> = {
  VisibilityTimeout: '30',
  // 1 MiB since August 2025 (CreateQueue API reference).
  MaximumMessageSize: '1048576',
  MessageRetentionPeriod: '345600',
  DelaySeconds: '0',
  ReceiveMessageWaitTimeSeconds: '0',
  SqsManagedSseEnabled: 'true',
};
const FIFO_DEFAULTS: Record<string, string> = { ContentBasedDeduplication: 'false', DeduplicationScope: 'queue', FifoThroughputLimit: 'perQueue' };

export const SETTABLE = new Set([
  'DelaySeconds',
  'MaximumMessageSize',
  'MessageRetentionPeriod',
  'Policy',
  'ReceiveMessageWaitTimeSeconds',
  'VisibilityTimeout',
  'RedrivePolicy',
  'RedriveAllowPolicy',
  'KmsMasterKeyId',
  'KmsDataKeyReusePeriodSeconds',
  'SqsManagedSseEnabled',
  'FifoQueue',
  'ContentBasedDeduplication',
  'DeduplicationScope',
  'FifoThroughputLimit',
]);
/** The order AWS lists attributes in for `All`. */
export const ATTRIBUTE_ORDER = [
  'QueueArn',
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'ApproximateNumberOfMessagesDelayed',
  'CreatedTimestamp',
  'LastModifiedTimestamp',
  'VisibilityTimeout',
  'MaximumMessageSize',
  'MessageRetentionPeriod',
  'DelaySeconds',
  'Policy',
  'RedrivePolicy',
  'RedriveAllowPolicy',
  'ReceiveMessageWaitTimeSeconds',
  'FifoQueue',
  'ContentBasedDeduplication',
  'KmsMasterKeyId',
  'KmsDataKeyReusePeriodSeconds',
  'DeduplicationScope',
  'FifoThroughputLimit',
  'SqsManagedSseEnabled',
];
export const KNOWN_ATTRIBUTES = new Set([...ATTRIBUTE_ORDER, 'All']);

/** Every attribute AWS reports for the queue, as SQS strings, in AWS's order. */
export function queueAttributes(queue: SimQueue, now: number): Record<string, string> {
  let visible = queue.backlog.visible;
  let notVisible = queue.backlog.notVisible;
  let delayed = queue.backlog.delayed;
  for (const message of queue.messages) {
    if (message.visibleAt <= now) visible++;
    else if (message.receiveCount === 0) delayed++;
    else notVisible++;
  }
  const set = queue.attributes;
  const kms = set.KmsMasterKeyId;
  // Built in one pass, in order, because this runs once per queue per crawl and must stay cheap.
  const computed: Record<string, string | undefined> = {
    QueueArn: `arn:aws:sqs:${queue.region}:${queue.accountId}:${queue.name}`,
    ApproximateNumberOfMessages: String(visible),
    ApproximateNumberOfMessagesNotVisible: String(notVisible),
    ApproximateNumberOfMessagesDelayed: String(delayed),
    CreatedTimestamp: String(queue.createdTimestamp),
    LastModifiedTimestamp: String(queue.lastModifiedTimestamp),
    FifoQueue: queue.fifo ? 'true' : undefined,
    KmsMasterKeyId: kms || undefined,
    KmsDataKeyReusePeriodSeconds: kms ? (set.KmsDataKeyReusePeriodSeconds ?? '300') : undefined,
    SqsManagedSseEnabled: kms ? 'false' : (set.SqsManagedSseEnabled ?? DEFAULTS.SqsManagedSseEnabled),
  };
  const attributes: Record<string, string> = {};
  for (const name of ATTRIBUTE_ORDER) {
    const value = name in computed ? computed[name] : (set[name] ?? DEFAULTS[name] ?? (queue.fifo ? FIFO_DEFAULTS[name] : undefined));
    if (value !== undefined) attributes[name] = value;
  }
  return attributes;
}
