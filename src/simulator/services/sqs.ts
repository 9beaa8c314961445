/**
 * SQS over JSON 1.0 (`X-Amz-Target: AmazonSQS.<Op>`), query-compatible errors included. Queue
 * URLs are AWS's (`https://sqs.<region>.amazonaws.com/<account>/<name>`), not the simulator's
 * host and port: a client configured with an endpoint sends every call there whatever the URL's
 * host (the SDK only follows the URL's host when no endpoint is configured), and answers do not
 * change with the port the simulator happens to listen on.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { AuthContext, SimRequest, SimResponse } from '../http.js';
import { headerValue } from '../http.js';
import type { ServiceEnvironment, SimService } from '../service.js';
import { jsonResponse, num, parseJsonBody, str } from '../service.js';
import { requestId } from '../requestId.js';
import { sqsFailure } from '../failures.js';
import { decodePageToken, encodePageToken } from '../pagination.js';
import { createPrng } from '../prng.js';
import { SimError } from '../simError.js';
import type { SimMessage, SimQueue } from '../organization.js';
import { ATTRIBUTE_ORDER, DEFAULTS, KNOWN_ATTRIBUTES, SETTABLE, queueAttributes } from './sqsAttributes.js';
import { isQueryRequest, QUERY_OPERATIONS, queryErrorXml, queryParams, queryResultXml, queryToInput } from './sqsQuery.js';

const TARGET_PREFIX = 'AmazonSQS.';
const CONTENT_TYPE = 'application/x-amz-json-1.0';
const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$/;
const FIFO_NAME = /^[A-Za-z0-9_-]{1,75}\.fifo$/;

type Input = Record<string, unknown>;

function nonExistent(): SimError {
  return new SimError('com.amazonaws.sqs#QueueDoesNotExist', 400, 'The specified queue does not exist.', { queryCode: 'AWS.SimpleQueueService.NonExistentQueue' });
}

function invalidParameter(message: string): SimError {
  return new SimError('com.amazonaws.sqs#InvalidParameterValue', 400, message, { queryCode: 'InvalidParameterValue' });
}

function missingParameter(name: string): SimError {
  return new SimError('com.amazonaws.sqs#MissingParameter', 400, `The request must contain the parameter ${name}.`, { queryCode: 'MissingParameter' });
}

function md5(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex');
}

/** The URL AWS gives a queue: its regional endpoint, account and name. */
export function awsQueueUrl(accountId: string, region: string, name: string): string {
  const suffix = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  return `https://sqs.${region}.${suffix}/${accountId}/${name}`;
}

export class SqsService implements SimService {
  readonly name = 'sqs';
  readonly regional = true;
  private sequence = 0;
  private readonly entryRandom: () => number;

  constructor(private readonly env: ServiceEnvironment) {
    this.entryRandom = createPrng(env.seed ^ 0xba7c4);
  }

  operation(request: SimRequest): string {
    if (isQueryRequest(request)) return queryParams(request).get('Action') ?? 'Unknown';
    const target = headerValue(request.headers, 'x-amz-target') ?? '';
    return target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : 'Unknown';
  }

  failure = sqsFailure;

  render(error: SimError, request: SimRequest, requestId: string): SimResponse {
    if (isQueryRequest(request)) {
      const code = error.queryCode ?? error.code.replace(/^.*#/, '').replace(/Exception$/, '');
      return { status: error.status, headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId }, body: queryErrorXml(code, error.fault, error.message, requestId) };
    }
    const headers: Record<string, string> = { 'content-type': CONTENT_TYPE, 'x-amzn-requestid': requestId, ...error.headers };
    if (error.queryCode) headers['x-amzn-query-error'] = `${error.queryCode};${error.fault}`;
    return { status: error.status, headers, body: JSON.stringify({ __type: error.code, message: error.message }) };
  }

  handle(operation: string, request: SimRequest, auth: AuthContext): SimResponse {
    if (isQueryRequest(request)) {
      if (!QUERY_OPERATIONS.has(operation)) {
        throw new SimError('com.amazonaws.sqs#UnsupportedOperation', 400, `The simulator answers ${operation} only in the JSON protocol.`, { queryCode: 'AWS.SimpleQueueService.UnsupportedOperation' });
      }
      const id = requestId();
      const result = this.dispatch(operation, queryToInput(queryParams(request), request, this.env.baseUrl()), auth) as Record<string, unknown>;
      return { status: 200, headers: { 'content-type': 'text/xml', 'x-amzn-requestid': id }, body: queryResultXml(operation, result, id) };
    }
    const input = parseJsonBody(request);
    return jsonResponse(this.dispatch(operation, input, auth), CONTENT_TYPE, requestId());
  }

  queueUrl(queue: SimQueue): string {
    return awsQueueUrl(queue.accountId, queue.region, queue.name);
  }

  private dispatch(operation: string, input: Input, auth: AuthContext): unknown {
    const account = auth.caller.accountId;
    const region = auth.region;
    const org = this.env.org;
    switch (operation) {
      case 'ListQueues': {
        const prefix = str(input, 'QueueNamePrefix') ?? '';
        const max = num(input, 'MaxResults');
        if (max !== undefined && (!Number.isInteger(max) || max < 1 || max > 1000)) {
          throw invalidParameter(`Value ${max} for parameter MaxResults is invalid. Reason: MaxResults must be an integer between 1 and 1000.`);
        }
        const queues = org.queuesIn(account, region);
        const start = prefix ? org.queueIndexAtOrAfter(account, region, prefix) : 0;
        const scope = `${account}/${region}/${prefix}`;
        const token = str(input, 'NextToken');
        let offset = start;
        if (token !== undefined) {
          if (max === undefined) throw invalidParameter('NextToken is only valid together with MaxResults.');
          const position = decodePageToken(scope, token);
          if (!position) throw invalidParameter('Invalid NextToken value.');
          offset = position.offset;
        }
        // Without MaxResults, SQS answers up to 1000 queues and never a NextToken.
        const size = max ?? 1000;
        const urls: string[] = [];
        let index = offset;
        for (; index < queues.length && urls.length < size; index++) {
          const queue = queues[index];
          if (!queue || (prefix && !queue.name.startsWith(prefix))) break;
          urls.push(this.queueUrl(queue));
        }
        const more = index < queues.length && (!prefix || (queues[index]?.name.startsWith(prefix) ?? false));
        const answer: Record<string, unknown> = {};
        if (urls.length > 0) answer.QueueUrls = urls;
        if (max !== undefined && more) answer.NextToken = encodePageToken(scope, { offset: index, page: 0 });
        return answer;
      }
      case 'GetQueueUrl': {
        const name = str(input, 'QueueName');
        if (!name) throw missingParameter('QueueName');
        const owner = str(input, 'QueueOwnerAWSAccountId') ?? account;
        const queue = owner === account ? org.queue(account, region, name) : undefined;
        if (!queue) throw nonExistent();
        return { QueueUrl: this.queueUrl(queue) };
      }
      case 'GetQueueAttributes': {
        const queue = this.queueOf(input, auth);
        const requested = input.AttributeNames;
        const names = Array.isArray(requested) ? requested.filter((n): n is string => typeof n === 'string') : [];
        for (const name of names) if (!KNOWN_ATTRIBUTES.has(name)) throw new SimError('com.amazonaws.sqs#InvalidAttributeName', 400, `Unknown Attribute ${name}.`, { queryCode: 'InvalidAttributeName' });
        if (names.length === 0) return {};
        const all = queueAttributes(queue, Date.now());
        if (names.includes('All')) return { Attributes: all };
        const attributes: Record<string, string> = {};
        for (const name of ATTRIBUTE_ORDER) {
          const value = all[name];
          if (value !== undefined && names.includes(name)) attributes[name] = value;
        }
        return Object.keys(attributes).length > 0 ? { Attributes: attributes } : {};
      }
      case 'ListQueueTags': {
        const queue = this.queueOf(input, auth);
        return Object.keys(queue.tags).length > 0 ? { Tags: { ...queue.tags } } : {};
      }
      case 'TagQueue': {
        const queue = this.queueOf(input, auth);
        Object.assign(queue.tags, stringRecord(input.Tags));
        return {};
      }
      case 'UntagQueue': {
        const queue = this.queueOf(input, auth);
        const keys = Array.isArray(input.TagKeys) ? input.TagKeys : [];
        for (const key of keys) if (typeof key === 'string') delete queue.tags[key];
        return {};
      }
      case 'ListDeadLetterSourceQueues': {
        const target = this.queueOf(input, auth);
        const targetArn = `arn:aws:sqs:${target.region}:${target.accountId}:${target.name}`;
        // Rare and small in practice: a scan of the region's queues is fine here.
        const sources = org.queuesIn(account, region).filter((q) => q.attributes.RedrivePolicy?.includes(`"${targetArn}"`));
        const max = num(input, 'MaxResults');
        const scope = `dlq/${targetArn}`;
        const token = str(input, 'NextToken');
        const position = token === undefined ? { offset: 0, page: 0 } : decodePageToken(scope, token);
        if (!position) throw invalidParameter('Invalid NextToken value.');
        const end = max === undefined ? sources.length : Math.min(sources.length, position.offset + max);
        const answer: Record<string, unknown> = { queueUrls: sources.slice(position.offset, end).map((q) => this.queueUrl(q)) };
        if (max !== undefined && end < sources.length) answer.NextToken = encodePageToken(scope, { offset: end, page: 0 });
        return answer;
      }
      case 'CreateQueue':
        return { QueueUrl: this.createQueue(input, account, region) };
      case 'DeleteQueue': {
        const queue = this.queueOf(input, auth);
        org.removeQueue(queue.accountId, queue.region, queue.name);
        return {};
      }
      case 'SetQueueAttributes': {
        const queue = this.queueOf(input, auth);
        const attributes = stringRecord(input.Attributes);
        for (const name of Object.keys(attributes)) {
          if (!SETTABLE.has(name) || name === 'FifoQueue') throw new SimError('com.amazonaws.sqs#InvalidAttributeName', 400, `Unknown Attribute ${name}.`, { queryCode: 'InvalidAttributeName' });
        }
        for (const [name, value] of Object.entries(attributes)) {
          if (value === '' && (name === 'Policy' || name === 'RedrivePolicy' || name === 'RedriveAllowPolicy' || name === 'KmsMasterKeyId')) delete queue.attributes[name];
          else queue.attributes[name] = value;
        }
        queue.lastModifiedTimestamp = Math.floor(Date.now() / 1000);
        return {};
      }
      case 'PurgeQueue': {
        const queue = this.queueOf(input, auth);
        queue.messages = [];
        queue.backlog = { visible: 0, notVisible: 0, delayed: 0 };
        return {};
      }
      case 'SendMessage': {
        const queue = this.queueOf(input, auth);
        const sent = this.send(queue, input);
        if (sent instanceof SimError) throw sent;
        return sent;
      }
      case 'SendMessageBatch': {
        const queue = this.queueOf(input, auth);
        const entries = batchEntries(input);
        const successful: unknown[] = [];
        const failed: unknown[] = [];
        for (const entry of entries) {
          const id = str(entry, 'Id') ?? '';
          const refused = this.refuseEntry(entry);
          if (refused !== null) {
            failed.push({ Id: id, SenderFault: refused.senderFault, Code: refused.code, Message: refused.message });
            continue;
          }
          const sent = this.send(queue, entry);
          if (sent instanceof SimError) failed.push({ Id: id, SenderFault: true, Code: sent.queryCode ?? sent.code, Message: sent.message });
          else successful.push({ Id: id, ...sent });
        }
        return { Successful: successful, Failed: failed };
      }
      case 'ReceiveMessage':
        return this.receive(this.queueOf(input, auth), input);
      case 'DeleteMessage': {
        const queue = this.queueOf(input, auth);
        if (!deleteByHandle(queue, str(input, 'ReceiptHandle') ?? '')) {
          throw new SimError('com.amazonaws.sqs#ReceiptHandleIsInvalid', 400, 'The input receipt handle is invalid.', { queryCode: 'ReceiptHandleIsInvalid' });
        }
        return {};
      }
      case 'DeleteMessageBatch': {
        const queue = this.queueOf(input, auth);
        const successful: unknown[] = [];
        const failed: unknown[] = [];
        for (const entry of batchEntries(input)) {
          const id = str(entry, 'Id') ?? '';
          if (deleteByHandle(queue, str(entry, 'ReceiptHandle') ?? '')) successful.push({ Id: id });
          else failed.push({ Id: id, SenderFault: true, Code: 'ReceiptHandleIsInvalid', Message: 'The input receipt handle is invalid.' });
        }
        return { Successful: successful, Failed: failed };
      }
      default:
        throw new SimError('com.amazonaws.sqs#UnsupportedOperation', 400, `The operation ${operation} is not supported by this simulator.`, { queryCode: 'AWS.SimpleQueueService.UnsupportedOperation' });
    }
  }

  /** The fault knobs' per-entry refusal of a SendMessageBatch entry, or null to send it. */
  private refuseEntry(entry: Input): { code: string; message: string; senderFault: boolean } | null {
    const faults = this.env.faults;
    const match = faults.batchEntryFailureMatch;
    if (match !== null && !(str(entry, 'MessageBody') ?? '').includes(match)) return null;
    if (faults.failNextBatchEntries > 0) {
      faults.failNextBatchEntries -= 1;
      return faults.batchEntryFailure;
    }
    if (faults.batchEntryFailureRate > 0 && this.entryRandom() < faults.batchEntryFailureRate) return faults.batchEntryFailure;
    return null;
  }

  /** The queue a QueueUrl names, only within the caller's own account and signing region. */
  private queueOf(input: Input, auth: AuthContext): SimQueue {
    const url = str(input, 'QueueUrl');
    if (!url) throw missingParameter('QueueUrl');
    let path: string;
    try {
      path = new URL(url).pathname;
    } catch {
      throw invalidParameter(`Value ${url} for parameter QueueUrl is invalid. Reason: Invalid queue URL.`);
    }
    const [, accountId, name] = path.split('/');
    if (!accountId || !name || accountId !== auth.caller.accountId) throw nonExistent();
    const queue = this.env.org.queue(accountId, auth.region, decodeURIComponent(name));
    if (!queue) throw nonExistent();
    return queue;
  }

  private createQueue(input: Input, account: string, region: string): string {
    const name = str(input, 'QueueName');
    if (!name) throw missingParameter('QueueName');
    const attributes = stringRecord(input.Attributes);
    const fifo = attributes.FifoQueue === 'true';
    if (fifo ? !FIFO_NAME.test(name) : !QUEUE_NAME.test(name)) {
      throw invalidParameter(
        fifo || name.endsWith('.fifo')
          ? 'The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.'
          : 'Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length',
      );
    }
    for (const key of Object.keys(attributes)) {
      if (!SETTABLE.has(key)) throw new SimError('com.amazonaws.sqs#InvalidAttributeName', 400, `Unknown Attribute ${key}.`, { queryCode: 'InvalidAttributeName' });
    }
    const existing = this.env.org.queue(account, region, name);
    if (existing) {
      const same = Object.entries(attributes).every(([key, value]) => (queueAttributes(existing, Date.now())[key] ?? '') === value);
      if (!same) {
        throw new SimError('com.amazonaws.sqs#QueueNameExists', 400, 'A queue already exists with the same name and a different value for attribute(s).', { queryCode: 'QueueAlreadyExists' });
      }
      return this.queueUrl(existing);
    }
    const now = Math.floor(Date.now() / 1000);
    const queue = this.env.org.addQueue({
      name,
      accountId: account,
      region,
      fifo,
      createdTimestamp: now,
      lastModifiedTimestamp: now,
      attributes,
      tags: stringRecord(input.tags),
      backlog: { visible: 0, notVisible: 0, delayed: 0 },
      messages: [],
    });
    return this.queueUrl(queue);
  }

  private send(queue: SimQueue, entry: Input): Record<string, string> | SimError {
    const body = str(entry, 'MessageBody');
    if (body === undefined || body === '') return missingParameter('MessageBody');
    const maxSize = Number(queue.attributes.MaximumMessageSize ?? DEFAULTS.MaximumMessageSize);
    if (Buffer.byteLength(body, 'utf8') > maxSize) {
      return invalidParameter(`One or more parameters are invalid. Reason: Message must be shorter than ${maxSize} bytes.`);
    }
    const groupId = str(entry, 'MessageGroupId');
    if (queue.fifo && !groupId) return missingParameter('MessageGroupId');
    if (queue.fifo && !str(entry, 'MessageDeduplicationId') && queue.attributes.ContentBasedDeduplication !== 'true') {
      return invalidParameter('The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly');
    }
    const delay = num(entry, 'DelaySeconds') ?? Number(queue.attributes.DelaySeconds ?? '0');
    const now = Date.now();
    const message: SimMessage = { messageId: randomUUID(), body, md5OfBody: md5(body), visibleAt: now + delay * 1000, receiveCount: 0, sentAt: now };
    if (groupId) message.messageGroupId = groupId;
    const deduplicationId = str(entry, 'MessageDeduplicationId');
    if (queue.fifo && deduplicationId) message.deduplicationId = deduplicationId;
    queue.messages.push(message);
    const answer: Record<string, string> = { MD5OfMessageBody: message.md5OfBody, MessageId: message.messageId };
    if (queue.fifo) answer.SequenceNumber = String(++this.sequence).padStart(20, '0');
    return answer;
  }

  private receive(queue: SimQueue, input: Input): unknown {
    const max = num(input, 'MaxNumberOfMessages') ?? 1;
    if (!Number.isInteger(max) || max < 1 || max > 10) {
      throw invalidParameter(`Value ${max} for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.`);
    }
    const visibility = num(input, 'VisibilityTimeout') ?? Number(queue.attributes.VisibilityTimeout ?? DEFAULTS.VisibilityTimeout);
    const now = Date.now();
    const messages: unknown[] = [];
    for (const message of queue.messages) {
      if (messages.length >= max) break;
      if (message.visibleAt > now) continue;
      message.receiveCount++;
      message.visibleAt = now + visibility * 1000;
      message.receiptHandle = Buffer.from(`${queue.accountId}/${queue.name}/${message.messageId}/${message.receiveCount}/${randomUUID()}`).toString('base64');
      messages.push({
        MessageId: message.messageId,
        ReceiptHandle: message.receiptHandle,
        MD5OfBody: message.md5OfBody,
        Body: message.body,
        Attributes: {
          SentTimestamp: String(message.sentAt),
          ApproximateReceiveCount: String(message.receiveCount),
          ApproximateFirstReceiveTimestamp: String(now),
          ...(message.messageGroupId ? { MessageGroupId: message.messageGroupId } : {}),
        },
      });
    }
    return messages.length > 0 ? { Messages: messages } : {};
  }
}

function stringRecord(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof value !== 'object' || value === null) return out;
  for (const [key, v] of Object.entries(value)) if (typeof v === 'string') out[key] = v;
  return out;
}

function batchEntries(input: Input): Input[] {
  const entries = Array.isArray(input.Entries) ? input.Entries.filter((e): e is Input => typeof e === 'object' && e !== null) : [];
  if (entries.length === 0) throw new SimError('com.amazonaws.sqs#EmptyBatchRequest', 400, 'There should be at least one entry in the request.', { queryCode: 'AWS.SimpleQueueService.EmptyBatchRequest' });
  if (entries.length > 10) {
    throw new SimError('com.amazonaws.sqs#TooManyEntriesInBatchRequest', 400, `Maximum number of entries per request are 10. You have sent ${entries.length}.`, {
      queryCode: 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
    });
  }
  const ids = new Set(entries.map((e) => str(e, 'Id')));
  if (ids.size !== entries.length) {
    throw new SimError('com.amazonaws.sqs#BatchEntryIdsNotDistinct', 400, 'Two or more batch entries in the request have the same Id.', {
      queryCode: 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct',
    });
  }
  return entries;
}

function deleteByHandle(queue: SimQueue, handle: string): boolean {
  const index = queue.messages.findIndex((m) => m.receiptHandle === handle);
  if (index < 0) return false;
  queue.messages.splice(index, 1);
  return true;
}
