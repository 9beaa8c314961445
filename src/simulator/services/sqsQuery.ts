/**
 * SQS's older query protocol (form-encoded `Action=…`, XML answers), still spoken by older SDKs
 * and CLIs. Requests are translated to the JSON protocol's input shape and answered by the same
 * handlers; only the encoding differs.
 */
import type { SimRequest } from '../http.js';
import { headerValue } from '../http.js';
import { el, escapeXml, wrap } from '../xml.js';

export const SQS_QUERY_NAMESPACE = 'http://queue.amazonaws.com/doc/2012-11-05/';

/** Operations answered in the query protocol (batch calls and ReceiveMessage are JSON-only here). */
export const QUERY_OPERATIONS = new Set([
  'ListQueues',
  'GetQueueUrl',
  'GetQueueAttributes',
  'ListQueueTags',
  'CreateQueue',
  'DeleteQueue',
  'SetQueueAttributes',
  'TagQueue',
  'UntagQueue',
  'PurgeQueue',
  'SendMessage',
  'DeleteMessage',
]);

export function isQueryRequest(request: SimRequest): boolean {
  return headerValue(request.headers, 'x-amz-target') === undefined && (headerValue(request.headers, 'content-type') ?? '').startsWith('application/x-www-form-urlencoded');
}

export function queryParams(request: SimRequest): URLSearchParams {
  return new URLSearchParams(request.body.toString('utf8'));
}

/** The JSON-protocol input a query request means (`AttributeName.1`, `Attribute.1.Name`, `Tag.1.Key`, …). */
export function queryToInput(params: URLSearchParams, request: SimRequest, baseUrl: string): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  const attributeNames: string[] = [];
  const attributes: Record<string, string> = {};
  const tags: Record<string, string> = {};
  const tagKeys: string[] = [];
  const indexed = (pattern: RegExp): Map<string, Record<string, string>> => {
    const groups = new Map<string, Record<string, string>>();
    for (const [name, value] of params) {
      const match = pattern.exec(name);
      if (!match?.[1] || !match[2]) continue;
      const group = groups.get(match[1]) ?? {};
      group[match[2]] = value;
      groups.set(match[1], group);
    }
    return groups;
  };
  for (const [name, value] of params) {
    if (name === 'Action' || name === 'Version') continue;
    if (/^AttributeName(\.\d+)?$/.test(name)) attributeNames.push(value);
    else if (/^TagKey\.\d+$/.test(name)) tagKeys.push(value);
    else if (!name.includes('.')) input[name] = value;
  }
  for (const group of indexed(/^Attribute\.(\d+)\.(Name|Value)$/).values()) if (group.Name) attributes[group.Name] = group.Value ?? '';
  for (const group of indexed(/^Tag\.(\d+)\.(Key|Value)$/).values()) if (group.Key) tags[group.Key] = group.Value ?? '';
  if (attributeNames.length > 0) input.AttributeNames = attributeNames;
  if (Object.keys(attributes).length > 0) input.Attributes = attributes;
  if (Object.keys(tags).length > 0) {
    input.Tags = tags;
    input.tags = tags;
  }
  if (tagKeys.length > 0) input.TagKeys = tagKeys;
  // Older clients post queue calls to the queue's URL instead of naming it.
  if (input.QueueUrl === undefined && /^\/\d{12}\/[^/]+$/.test(request.path)) input.QueueUrl = `${baseUrl}${request.path}`;
  return input;
}

/** The query protocol's XML for an operation's JSON-shaped result. */
export function queryResultXml(operation: string, result: Record<string, unknown>, requestId: string): string {
  let body = '';
  switch (operation) {
    case 'ListQueues':
      for (const url of (result.QueueUrls as string[] | undefined) ?? []) body += el('QueueUrl', url);
      body += el('NextToken', result.NextToken as string | undefined);
      break;
    case 'GetQueueUrl':
    case 'CreateQueue':
      body = el('QueueUrl', result.QueueUrl as string | undefined);
      break;
    case 'GetQueueAttributes':
      for (const [name, value] of Object.entries((result.Attributes as Record<string, string> | undefined) ?? {})) body += wrap('Attribute', el('Name', name) + el('Value', value));
      break;
    case 'ListQueueTags':
      for (const [key, value] of Object.entries((result.Tags as Record<string, string> | undefined) ?? {})) body += wrap('Tag', el('Key', key) + el('Value', value));
      break;
    case 'SendMessage':
      body = el('MD5OfMessageBody', result.MD5OfMessageBody as string) + el('MessageId', result.MessageId as string) + el('SequenceNumber', result.SequenceNumber as string | undefined);
      break;
  }
  const resultXml = body ? wrap(`${operation}Result`, body) : '';
  return `<${operation}Response xmlns="${SQS_QUERY_NAMESPACE}">${resultXml}${wrap('ResponseMetadata', el('RequestId', requestId))}</${operation}Response>`;
}

export function queryErrorXml(code: string, fault: string, message: string, requestId: string): string {
  return `<ErrorResponse xmlns="${SQS_QUERY_NAMESPACE}"><Error><Type>${fault}</Type><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message><Detail/></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
}
