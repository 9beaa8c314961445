/**
 * Where events go: the queue's URL (given, or looked up by name), its region and account, whether
 * it is FIFO, and the credentials and client that send to it.
 */
import { GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { HttpHandler } from '@smithy/protocol-http';
import type { CredentialChain } from '../auth/assumeRoleChain.js';
import { dedicatedRoleProvider } from '../auth/assumeRoleChain.js';
import type { RefreshingProvider } from '../auth/refreshingProvider.js';
import { endpointFor } from '../aws/endpoints.js';
import type { Logger } from '../log/logger.js';
import type { Parameters, PublishParameters } from '../parameters/schema.js';

export interface QueueTarget {
  /** The queue URL, or null until `sqs_queue_name` is looked up. */
  url: string | null;
  /** What errors call the queue: its URL, or its name with region and account. */
  label: string;
  name: string;
  region: string;
  /** The owner from the URL or `account_id`; null ⇒ the publishing credentials' account. */
  accountId: string | null;
  /** FIFO queue names end in `.fifo`: no call is needed to know. */
  fifo: boolean;
}

const REGION_IN_HOST = [/(?:^|\.)sqs[.-]([a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d{1,2})\.(?:vpce\.)?amazonaws\.com(?:\.cn)?$/, /^([a-z]{2}(?:-gov)?-[a-z]+-\d{1,2})\.queue\.amazonaws\.com(?:\.cn)?$/];

/** The region an AWS queue URL's host names, or null for another host (an emulator, a proxy). */
export function regionOfQueueUrl(url: string): string | null {
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    return null;
  }
  for (const pattern of REGION_IN_HOST) {
    const match = pattern.exec(host);
    if (match?.[1]) return match[1];
  }
  return null;
}

export function queueTarget(publish: PublishParameters, params: Pick<Parameters, 'region'>): QueueTarget {
  if (publish.sqs_queue_url !== null) {
    const [, accountId = null, name = ''] = new URL(publish.sqs_queue_url).pathname.split('/');
    const region = publish.region ?? regionOfQueueUrl(publish.sqs_queue_url) ?? params.region;
    return { url: publish.sqs_queue_url, label: publish.sqs_queue_url, name, region, accountId, fifo: name.endsWith('.fifo') };
  }
  const name = publish.sqs_queue_name ?? '';
  const region = publish.region ?? params.region;
  const owner = publish.account_id;
  return { url: null, label: `${name} (${region}${owner === null ? '' : `, account ${owner}`})`, name, region, accountId: owner, fifo: name.endsWith('.fifo') };
}

/** The publishing role when `role_arn` is set, else the chain's last credentials. */
export function publishingCredentials(publish: PublishParameters, chain: CredentialChain, params: Parameters, logger: Logger, requestHandler?: HttpHandler): RefreshingProvider {
  if (publish.role_arn === null) return chain.management;
  return dedicatedRoleProvider(
    chain,
    { roleArn: publish.role_arn, externalId: publish.external_id, sessionName: publish.role_session_name ?? params.role_session_name, purpose: 'publish.role_arn' },
    { params, logger, ...(requestHandler ? { requestHandler } : {}) },
  );
}

/** An SQS client for the queue's region; `publish.endpoint` wins over the crawl's endpoints. */
export function publishingClient(publish: PublishParameters, params: Parameters, target: QueueTarget, credentials: RefreshingProvider, requestHandler?: HttpHandler): SQSClient {
  const endpoint = publish.endpoint ?? endpointFor(params, 'sqs');
  return new SQSClient({
    region: target.region,
    credentials,
    // Retries are the publisher's (through the scheduler), so attempts do not multiply.
    maxAttempts: 1,
    ...(endpoint !== undefined ? { endpoint } : {}),
    ...(requestHandler ? { requestHandler } : {}),
  });
}

/** GetQueueUrl for a queue given by name. */
export async function lookUpQueueUrl(client: SQSClient, target: QueueTarget): Promise<string> {
  const out = await client.send(new GetQueueUrlCommand({ QueueName: target.name, ...(target.accountId !== null ? { QueueOwnerAWSAccountId: target.accountId } : {}) }));
  if (!out.QueueUrl) throw new Error(`GetQueueUrl answered without a QueueUrl for ${target.label}`);
  return out.QueueUrl;
}
