/**
 * From validated input to `Parameters`: the defaults that depend on other fields, the chain split
 * into ARNs, and the rules that involve more than one field.
 */
import type { z } from 'zod';
import type { ProblemList } from './parameterError.js';
import { partitionOfArn, partitionOfRegion } from './partition.js';
import { ROLE_ARN_PATTERN } from './schema.js';
import type { Parameters, parametersSchema } from './schema.js';

type Parsed = z.output<typeof parametersSchema>;

const CHAIN = 'master_assume_role_arn_chain';
const ROLE_ARN_HINT = 'Each entry must look like arn:aws:iam::123456789012:role/RoleName (a path may come before the name: role/path/RoleName).';

function ordinal(n: number): string {
  const names = ['first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth', 'ninth', 'tenth'];
  return names[n - 1] ?? `${n}th`;
}

/** The chain as a list of trimmed entries; a string may separate them by commas, semicolons or newlines. */
export function splitRoleChain(chain: string | readonly string[]): string[] {
  if (typeof chain === 'string') {
    return chain
      .split(/[,;\r\n]+/)
      .map((entry) => entry.trim())
      .filter((entry) => entry.length > 0);
  }
  return chain.map((entry) => entry.trim());
}

function checkChain(chain: string[], region: string, problems: ProblemList): void {
  const partitions = new Map<string, number>();
  chain.forEach((arn, index) => {
    const field = `${CHAIN}[${index}]`;
    const position = `the ${ordinal(index + 1)} of ${chain.length} role${chain.length === 1 ? '' : 's'}`;
    if (arn === '') {
      problems.add(field, `is empty (${position}).`, ROLE_ARN_HINT);
      return;
    }
    if (!ROLE_ARN_PATTERN.test(arn)) {
      problems.add(field, `${JSON.stringify(arn)} is not an IAM role ARN (${position}).`, ROLE_ARN_HINT);
      return;
    }
    const partition = partitionOfArn(arn);
    if (partition !== null && !partitions.has(partition)) partitions.set(partition, index);
  });
  if (partitions.size > 1) {
    const listed = [...partitions].map(([partition, index]) => `${partition} at [${index}]`).join(', ');
    problems.add(CHAIN, `mixes partitions: ${listed}.`, 'A role chain cannot leave its partition; use roles of one partition (aws, aws-cn or aws-us-gov).');
    return;
  }
  const [chainPartition] = [...partitions.keys()];
  const regionPartition = partitionOfRegion(region);
  if (chainPartition !== undefined && chainPartition !== regionPartition) {
    problems.add(
      'region',
      `${JSON.stringify(region)} is in partition ${regionPartition}, but the role chain is in ${chainPartition}.`,
      `Set region to a region of ${chainPartition} (for example ${chainPartition === 'aws-cn' ? 'cn-north-1' : chainPartition === 'aws-us-gov' ? 'us-gov-west-1' : 'us-east-1'}).`,
    );
  }
}

function checkCredentials(parsed: Parsed, problems: ProblemList): void {
  if (parsed.access_key_id !== null && parsed.secret_access_key === null) {
    problems.add('secret_access_key', 'is missing, but access_key_id is set.', 'Set secret_access_key (env:NAME keeps it out of the file), or remove access_key_id to use the default credential chain.');
  }
  if (parsed.secret_access_key !== null && parsed.access_key_id === null) {
    problems.add('access_key_id', 'is missing, but secret_access_key is set.', 'Set access_key_id, or remove secret_access_key to use the default credential chain.');
  }
  if (parsed.session_token !== null && parsed.access_key_id === null) {
    problems.add('session_token', 'is set without access_key_id and secret_access_key.', 'A session token belongs to temporary keys: set all three, or none.');
  }
  if (parsed.mfa_token_code !== null && parsed.mfa_serial_number === null) {
    problems.add('mfa_serial_number', 'is missing, but mfa_token_code is set.', 'Set mfa_serial_number to the MFA device ARN (arn:aws:iam::123456789012:mfa/name) or serial.');
  }
  if (parsed.authentication_type === 'roles_anywhere') {
    if (parsed.roles_anywhere === null) {
      problems.add('roles_anywhere', 'is missing, but authentication_type is "roles_anywhere".', 'Add the roles_anywhere object (profile_arn, role_arn, trust_anchor_arn, region, certificate_path, private_key_path).');
    }
    if (parsed.access_key_id !== null || parsed.secret_access_key !== null || parsed.session_token !== null) {
      problems.add('access_key_id', 'access keys cannot be combined with authentication_type "roles_anywhere".', 'Remove access_key_id, secret_access_key and session_token, or set authentication_type to "access_keys".');
    }
  } else if (parsed.roles_anywhere !== null) {
    problems.add('roles_anywhere', 'is set, but authentication_type is "access_keys".', 'Set authentication_type to "roles_anywhere" to use it, or remove roles_anywhere.');
  }
}

function checkAccounts(parsed: Parsed, problems: ProblemList): void {
  if (parsed.include_accounts === null || parsed.exclude_accounts === null) return;
  const excluded = new Set(parsed.exclude_accounts);
  const both = [...new Set(parsed.include_accounts.filter((id) => excluded.has(id)))].sort();
  if (both.length > 0) {
    problems.add('exclude_accounts', `lists ${both.join(', ')}, which include_accounts also lists.`, 'An account is either included or excluded: remove it from one of the two lists.');
  }
}

function checkPublish(parsed: Parsed, problems: ProblemList): void {
  const publish = parsed.publish;
  if (publish === null) return;
  if (publish.sqs_queue_url === null && publish.sqs_queue_name === null) {
    problems.add('publish', 'names no queue.', 'Set publish.sqs_queue_url (https://sqs.<region>.amazonaws.com/<account>/<name>), or publish.sqs_queue_name (with region and account_id if they differ from the defaults).');
  }
  if (publish.sqs_queue_url !== null && publish.sqs_queue_name !== null) {
    problems.add('publish.sqs_queue_name', 'is set together with publish.sqs_queue_url.', 'Give the queue one way: remove sqs_queue_name, or remove sqs_queue_url.');
  }
  if (publish.sqs_queue_url !== null && publish.account_id !== null) {
    problems.add('publish.account_id', 'is set together with publish.sqs_queue_url, which already names the account.', 'Remove publish.account_id (it only goes with sqs_queue_name).');
  }
  if (publish.role_arn === null && publish.external_id !== null) {
    problems.add('publish.external_id', 'is set without publish.role_arn.', 'An ExternalId belongs to an AssumeRole: set publish.role_arn, or remove publish.external_id.');
  }
  if (publish.role_arn === null && publish.role_session_name !== null) {
    problems.add('publish.role_session_name', 'is set without publish.role_arn.', 'Set publish.role_arn, or remove publish.role_session_name.');
  }
  if (!parsed.formats.includes('sqlite')) {
    problems.add('publish', 'needs the sqlite format: the outbox of unsent events and the change history live in the database.', 'Add "sqlite" to formats, or remove publish.');
  }
  const rolePartition = publish.role_arn === null ? null : partitionOfArn(publish.role_arn);
  const regionPartition = partitionOfRegion(parsed.region);
  if (rolePartition !== null && rolePartition !== regionPartition) {
    problems.add('publish.role_arn', `is in partition ${rolePartition}, but region ${JSON.stringify(parsed.region)} is in ${regionPartition}.`, 'The publishing role is assumed from the chain: use a role of the same partition.');
  }
}

function sortedUnique(values: readonly string[]): string[] {
  return [...new Set(values)].sort();
}

/** `Parameters` from zod's output; cross-field problems go to `problems` (and the result is then not to be used). */
export function normalizeParameters(parsed: Parsed, problems: ProblemList): Parameters {
  const chain = splitRoleChain(parsed.master_assume_role_arn_chain);
  checkChain(chain, parsed.region, problems);
  checkCredentials(parsed, problems);
  checkAccounts(parsed, problems);
  checkPublish(parsed, problems);
  return {
    ...parsed,
    master_assume_role_arn_chain: chain,
    member_account_external_id: parsed.member_account_external_id === undefined ? parsed.assume_external_id : parsed.member_account_external_id,
    regions: parsed.regions === null ? [parsed.region] : parsed.regions === 'all' ? 'all' : sortedUnique(parsed.regions),
    s3_force_path_style: parsed.s3_force_path_style ?? parsed.endpoint_url !== null,
    include_accounts: parsed.include_accounts === null ? null : sortedUnique(parsed.include_accounts),
    exclude_accounts: parsed.exclude_accounts === null ? null : sortedUnique(parsed.exclude_accounts),
    include_organizational_units: parsed.include_organizational_units === null ? null : sortedUnique(parsed.include_organizational_units),
    resources: [...new Set(parsed.resources)],
    formats: [...new Set(parsed.formats)],
    publish: parsed.publish === null ? null : { ...parsed.publish, events: [...new Set(parsed.publish.events)] },
  };
}
