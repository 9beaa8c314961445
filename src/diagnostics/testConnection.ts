/**
 * `test-connection`: run the chain hop by hop and check each permission the crawl needs, like a
 * connector's "Test Connection" button. Every step says PASS or FAIL with AWS's own error code
 * and message, and a hint for the usual cause.
 */
import { ListAccountsCommand, DescribeOrganizationCommand } from '@aws-sdk/client-organizations';
import { ListBucketsCommand } from '@aws-sdk/client-s3';
import { ListQueuesCommand } from '@aws-sdk/client-sqs';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@smithy/types';
import { ClientFactory } from '../aws/clientFactory.js';
import { endpointFor } from '../aws/endpoints.js';
import { classifyError } from '../errors/classify.js';
import { defaultRequestHandler } from '../aws/httpHandler.js';
import { fixFor } from '../errors/errorFix.js';
import { ExitCode, InventoryError } from '../errors/inventoryError.js';
import type { ExitCodeValue } from '../errors/inventoryError.js';
import type { Logger } from '../log/logger.js';
import type { Parameters } from '../parameters/schema.js';
import { buildCredentialChain } from '../auth/assumeRoleChain.js';
import type { RefreshingProvider } from '../auth/refreshingProvider.js';
import { checkRolesAnywhere } from '../auth/rolesAnywhere/connectionCheck.js';

export interface ConnectionCheck {
  step: string;
  status: 'PASS' | 'FAIL' | 'SKIP';
  detail: string;
  errorCode?: string;
  hint?: string;
  /** Caller ARN after an authentication step. */
  arn?: string;
  /** Expiry of the step's credentials (ISO-8601), when temporary. */
  expiration?: string;
}

export interface ConnectionReport {
  checks: ConnectionCheck[];
  exitCode: ExitCodeValue;
}

export async function testConnection(params: Parameters, logger: Logger): Promise<ConnectionReport> {
  const requestHandler = defaultRequestHandler(params);
  const chain = buildCredentialChain({ params, logger, requestHandler });
  const clients = new ClientFactory(params, requestHandler);
  const checks: ConnectionCheck[] = [];
  let authFailed = false;
  let permissionFailed = false;

  const identityStep = async (step: string, provider: RefreshingProvider, kind: 'first-credentials' | 'chain-role'): Promise<boolean> => {
    try {
      const identity = await clients.sts(provider).send(new GetCallerIdentityCommand({}));
      const credentials: AwsCredentialIdentity | undefined = provider.peek();
      const expiration = credentials?.expiration?.toISOString();
      checks.push({
        step,
        status: 'PASS',
        detail: `${identity.Arn ?? '?'}${expiration ? ` (credentials expire ${expiration})` : ''}`,
        ...(identity.Arn ? { arn: identity.Arn } : {}),
        ...(expiration ? { expiration } : {}),
      });
      return true;
    } catch (error) {
      const inner = error instanceof InventoryError ? error : null;
      const c = classifyError(error);
      const code = inner?.awsCode ?? c.code;
      checks.push({ step, status: 'FAIL', detail: inner ? inner.message : `${code}: ${c.message}`, errorCode: code, hint: inner?.hint ?? fixFor({ errorCode: code, service: 'sts', operation: 'AssumeRole', step: kind }) });
      authFailed = true;
      return false;
    }
  };

  if (params.authentication_type === 'roles_anywhere' && params.roles_anywhere !== null) {
    const endpoint = endpointFor(params, 'rolesanywhere');
    const ra = await checkRolesAnywhere(params.roles_anywhere, { ...(endpoint !== undefined ? { endpoint } : {}), requestHandler });
    checks.push(...ra.checks);
    if (ra.session === null) {
      requestHandler.destroy();
      return { checks, exitCode: ExitCode.auth };
    }
  }

  const firstLabel = params.authentication_type === 'roles_anywhere' ? 'first credentials (IAM Roles Anywhere)' : params.access_key_id !== null ? 'first credentials (access keys)' : 'first credentials (default provider chain)';
  let ok = await identityStep(firstLabel, chain.first, 'first-credentials');
  for (const hop of chain.hops) {
    if (!ok) {
      checks.push({ step: `assume ${hop.roleArn}`, status: 'SKIP', detail: 'an earlier hop failed' });
      continue;
    }
    ok = await identityStep(`assume ${hop.roleArn} (ExternalId ${params.assume_external_id === null ? 'none' : 'set'}, ${hop.durationSeconds} s)`, hop.provider, 'chain-role');
  }

  const permission = async (step: string, service: string, operation: string, call: () => Promise<string>) => {
    if (!ok) {
      checks.push({ step, status: 'SKIP', detail: 'authentication failed' });
      return;
    }
    try {
      checks.push({ step, status: 'PASS', detail: await call() });
    } catch (error) {
      const c = classifyError(error);
      const benign = c.code === 'AWSOrganizationsNotInUseException';
      if (!benign) permissionFailed = true;
      checks.push({ step, status: benign ? 'PASS' : 'FAIL', detail: `${c.code}: ${c.message}`, errorCode: c.code, hint: fixFor({ errorCode: c.code, service, operation, step: 'call', principal: 'chain' }) });
    }
  };

  const management = chain.management;
  if (params.resources.includes('organizations') || params.member_account_role_name !== null) {
    await permission('organizations:DescribeOrganization', 'organizations', 'DescribeOrganization', async () => {
      const out = await clients.organizations(management).send(new DescribeOrganizationCommand({}));
      return `organization ${out.Organization?.Id ?? '?'}, management account ${out.Organization?.MasterAccountId ?? '?'}`;
    });
    await permission('organizations:ListAccounts (first page)', 'organizations', 'ListAccounts', async () => {
      const out = await clients.organizations(management).send(new ListAccountsCommand({ MaxResults: 20 }));
      return `${out.Accounts?.length ?? 0} account(s) on the first page${out.NextToken ? ', more pages' : ''}`;
    });
  }
  if (params.resources.includes('s3')) {
    await permission('s3:ListBuckets', 's3', 'ListBuckets', async () => {
      const out = await clients.s3(management, params.region).send(new ListBucketsCommand({ MaxBuckets: 1000 }));
      return `${out.Buckets?.length ?? 0} bucket(s)${out.ContinuationToken ? ', more pages' : ''}`;
    });
  }
  if (params.resources.includes('sqs')) {
    await permission(`sqs:ListQueues (${params.region})`, 'sqs', 'ListQueues', async () => {
      const out = await clients.sqs(management, params.region).send(new ListQueuesCommand({ MaxResults: 1000 }));
      return `${out.QueueUrls?.length ?? 0} queue(s)${out.NextToken ? ', more pages' : ''}`;
    });
  }
  if (params.publish !== null) {
    if (!ok) {
      checks.push({ step: 'publish queue', status: 'SKIP', detail: 'authentication failed' });
    } else {
      const { checkPublishing } = await import('../publish/checkPublishing.js');
      const published = await checkPublishing(params, params.publish, chain, logger, requestHandler);
      checks.push(...published);
      if (published.some((c) => c.status === 'FAIL')) permissionFailed = true;
    }
  }
  requestHandler.destroy();

  const exitCode = authFailed ? ExitCode.auth : permissionFailed ? ExitCode.partial : ExitCode.succeeded;
  return { checks, exitCode };
}

export function formatConnectionReport(report: ConnectionReport): string {
  const lines = report.checks.map((c) => {
    const hint = c.hint ? `\n       hint: ${c.hint}` : '';
    return `${c.status.padEnd(4)}  ${c.step}\n       ${c.detail}${hint}`;
  });
  const verdict =
    report.exitCode === ExitCode.succeeded
      ? 'All checks passed.'
      : report.exitCode === ExitCode.auth
        ? 'Authentication failed: fix the first failing step above.'
        : 'Authentication works, but some permissions are missing: the crawl would be partial.';
  return `${lines.join('\n')}\n\n${verdict}`;
}
