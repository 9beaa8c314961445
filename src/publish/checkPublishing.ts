/**
 * `test-connection`'s checks of the events queue when `publish` is set: the publishing role (if
 * any), GetQueueUrl for a queue given by name, and GetQueueAttributes, each PASS or FAIL with
 * AWS's own message.
 */
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { HttpHandler } from '@smithy/protocol-http';
import type { CredentialChain } from '../auth/assumeRoleChain.js';
import type { ConnectionCheck } from '../diagnostics/testConnection.js';
import { endpointFor } from '../aws/endpoints.js';
import { classifyError } from '../errors/classify.js';
import { InventoryError } from '../errors/inventoryError.js';
import type { Logger } from '../log/logger.js';
import type { Parameters, PublishParameters } from '../parameters/schema.js';
import { MAX_MESSAGE_BYTES } from './events.js';
import { lookUpQueueUrl, publishingClient, publishingCredentials, queueTarget } from './queueTarget.js';

function failed(step: string, error: unknown, hint: string): ConnectionCheck {
  const inner = error instanceof InventoryError ? error : null;
  const c = classifyError(error);
  const code = inner?.awsCode ?? c.code;
  return { step, status: 'FAIL', detail: inner ? inner.message : `${code}: ${c.message}`, errorCode: code, hint: inner?.hint ?? hint };
}

export async function checkPublishing(params: Parameters, publish: PublishParameters, chain: CredentialChain, logger: Logger, requestHandler?: HttpHandler): Promise<ConnectionCheck[]> {
  const checks: ConnectionCheck[] = [];
  const target = queueTarget(publish, params);
  const credentials = publishingCredentials(publish, chain, params, logger, requestHandler);
  const skip = (step: string) => checks.push({ step, status: 'SKIP', detail: 'an earlier publishing check failed' });

  if (publish.role_arn !== null) {
    const step = `assume publish.role_arn ${publish.role_arn} (ExternalId ${publish.external_id === null ? 'none' : 'set'})`;
    const sts = new STSClient({ region: params.region, credentials, maxAttempts: params.max_attempts, ...(requestHandler ? { requestHandler } : {}), ...optionalEndpoint(endpointFor(params, 'sts')) });
    try {
      const identity = await sts.send(new GetCallerIdentityCommand({}));
      checks.push({ step, status: 'PASS', detail: identity.Arn ?? '?', ...(identity.Arn ? { arn: identity.Arn } : {}) });
    } catch (error) {
      checks.push(failed(step, error, "check that the role trusts the chain's last role and that publish.external_id matches its sts:ExternalId condition"));
    }
  }

  const client = publishingClient(publish, params, target, credentials, requestHandler);
  const lookupStep = `sqs:GetQueueUrl ${target.label}`;
  if (target.url === null) {
    if (checks.some((c) => c.status === 'FAIL')) skip(lookupStep);
    else {
      try {
        target.url = await lookUpQueueUrl(client, target);
        checks.push({ step: lookupStep, status: 'PASS', detail: target.url });
      } catch (error) {
        checks.push(failed(lookupStep, error, 'check publish.sqs_queue_name, publish.region and publish.account_id, and that the publishing credentials may call sqs:GetQueueUrl'));
      }
    }
  }

  const attributesStep = `sqs:GetQueueAttributes ${target.url ?? target.label}`;
  if (target.url === null || checks.some((c) => c.status === 'FAIL')) skip(attributesStep);
  else {
    try {
      const out = await client.send(new GetQueueAttributesCommand({ QueueUrl: target.url, AttributeNames: ['FifoQueue', 'MaximumMessageSize', 'ApproximateNumberOfMessages'] }));
      const a = out.Attributes ?? {};
      const maxSize = Number(a.MaximumMessageSize ?? MAX_MESSAGE_BYTES);
      const small = maxSize < MAX_MESSAGE_BYTES;
      checks.push({
        step: attributesStep,
        status: 'PASS',
        detail: `${a.FifoQueue === 'true' ? 'FIFO' : 'standard'} queue, messages up to ${maxSize} bytes, ${a.ApproximateNumberOfMessages ?? '?'} waiting`,
        ...(small ? { hint: `events are split at ${MAX_MESSAGE_BYTES} bytes: set the queue's MaximumMessageSize to ${MAX_MESSAGE_BYTES}, or larger events will be refused and stay in the outbox` } : {}),
      });
    } catch (error) {
      checks.push(failed(attributesStep, error, 'grant sqs:GetQueueAttributes (used by test-connection) and sqs:SendMessage on the queue to the publishing credentials'));
    }
  }
  // destroy() would also close the shared HTTP handler, which test-connection closes itself.
  if (requestHandler === undefined) client.destroy();
  return checks;
}

function optionalEndpoint(endpoint: string | undefined): { endpoint?: string } {
  return endpoint === undefined ? {} : { endpoint };
}
