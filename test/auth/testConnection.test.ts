/**
 * test-connection against the simulated organization: the chain, every Organizations call of the
 * crawl, and — in one member account, through its role — the listing and every per-item call
 * each member table declares, each one line with its IAM action, resource and fix.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { iamActionFor } from '../../src/aws/iamActions.js';
import { formatConnectionReport, testConnection } from '../../src/diagnostics/testConnection.js';
import type { ConnectionReport } from '../../src/diagnostics/testConnection.js';
import { startSimulator } from '../../src/simulator/index.js';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { s3Buckets } from '../../src/tables/s3/buckets.js';
import { sqsQueues } from '../../src/tables/sqs/queues.js';
import { CLI_TIMEOUT_MS, ensureCliBuilt, runCli } from '../helpers/builtCli.js';
import { collectLogs, parametersFor, simulatorParameters, tempDir } from '../helpers/harness.js';

let sim: RunningSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

/** The member table calls the crawl makes, as their declarations name them. */
const MEMBER_ACTIONS = [sqsQueues, s3Buckets].flatMap((table) => [table.list.call, ...table.enrich.map((step) => step.call)]).map(iamActionFor);

const ORGANIZATION_ACTIONS = [
  'organizations:DescribeOrganization',
  'organizations:ListRoots',
  'organizations:ListOrganizationalUnitsForParent',
  'organizations:ListAccountsForParent',
  'organizations:ListTagsForResource',
  'organizations:ListPolicies',
  'organizations:DescribePolicy',
  'organizations:ListTargetsForPolicy',
  'organizations:ListDelegatedAdministrators',
  'organizations:ListDelegatedServicesForAccount',
];

function firstActiveMember(s: RunningSimulator): string {
  const members = [...s.org.accounts.values()].filter((a) => a.id !== s.managementAccountId && a.state === 'ACTIVE');
  const first = members[0];
  if (first === undefined) throw new Error('the simulated organization has no active member account');
  return first.id;
}

async function connect(extra: Record<string, unknown> = {}, account: string | null = null, simOptions: Parameters<typeof startSimulator>[0] = {}): Promise<{ s: RunningSimulator; report: ConnectionReport; run: () => Promise<ConnectionReport> }> {
  const s = sim ?? (sim = await startSimulator({ accounts: 3, queuesPerAccount: 3, bucketsPerAccount: 3, ...simOptions }));
  const params = parametersFor(s, extra);
  const run = () => testConnection(params, collectLogs().logger, { account });
  return { s, report: await run(), run };
}

describe('test-connection', () => {
  it('passes every check of a healthy organization, one per call the crawl makes, the member calls in a member account through its role', async () => {
    const { s, report } = await connect({ regions: 'all' });
    expect(report.failed).toEqual([]);
    expect(report.exitCode).toBe(0);
    expect(report.checks.every((c) => c.status === 'PASS'), JSON.stringify(report.checks.filter((c) => c.status !== 'PASS'))).toBe(true);
    expect(report.checks[0]?.arn).toContain(`:iam::${s.org.identityAccountId}:user/`);
    expect(report.checks[1]?.arn).toBe(`arn:aws:sts::${s.managementAccountId}:assumed-role/InventoryReader/aws-org-inventory`);
    expect(report.checks[1]?.expiration).toMatch(/^\d{4}-\d\d-\d\dT/);

    const member = firstActiveMember(s);
    expect(report.memberAccount).toBe(member);
    const actions = report.checks.map((c) => c.action).filter((a): a is string => a !== undefined);
    const memberRole = `arn:aws:iam::${member}:role/OrganizationAccountAccessRole`;
    expect(actions).toEqual(['sts:AssumeRole', ...ORGANIZATION_ACTIONS, 'sts:AssumeRole', 'account:ListRegions', ...MEMBER_ACTIONS]);
    expect(report.checks.find((c) => c.resource === memberRole)?.arn).toBe(`arn:aws:sts::${member}:assumed-role/OrganizationAccountAccessRole/aws-org-inventory`);
    // Each per-item call on one queue and one bucket of the member account.
    const onQueue = report.checks.filter((c) => c.action === 'sqs:GetQueueAttributes' || c.action === 'sqs:ListQueueTags');
    for (const check of onQueue) expect(check.resource).toMatch(new RegExp(`^arn:aws:sqs:us-east-1:${member}:`));
    const onBucket = report.checks.filter((c) => c.action?.startsWith('s3:Get'));
    expect(onBucket).toHaveLength(s3Buckets.enrich.length);
    for (const check of onBucket) expect(check.resource).toMatch(/^arn:aws:s3:::sim-/);
    expect(report.checks.find((c) => c.action === 's3:GetEncryptionConfiguration')?.resource).toBe(onBucket[0]?.resource);
    expect(formatConnectionReport(report)).toContain('All checks passed.');
  });

  it('exits 3 and lists each denied call with its action, resource and the grant that fixes it', async () => {
    const s = (sim = await startSimulator({ accounts: 3, queuesPerAccount: 3, bucketsPerAccount: 3 }));
    const member = firstActiveMember(s);
    s.faults.deny = [
      { service: 'organizations', operation: 'ListPolicies' },
      { account: member, service: 'sqs', operation: 'ListQueueTags' },
      { account: member, service: 's3', operation: 'GetBucketEncryption' },
    ];
    const { report } = await connect();
    expect(report.exitCode).toBe(3);
    const failed = report.checks.filter((c) => c.status === 'FAIL');
    expect(failed.map((c) => c.action)).toEqual(['organizations:ListPolicies', 'sqs:ListQueueTags', 's3:GetEncryptionConfiguration']);
    expect(report.failed).toEqual(failed.map((c) => c.step));
    const [policies, tags, encryption] = failed;
    expect(policies).toMatchObject({ resource: '*', errorCode: 'AccessDeniedException', hint: `grant organizations:ListPolicies on * to ${s.chainRoleArn}` });
    expect(tags?.resource).toMatch(new RegExp(`^arn:aws:sqs:us-east-1:${member}:`));
    expect(tags?.hint).toBe(`grant sqs:ListQueueTags on ${tags?.resource} to arn:aws:iam::${member}:role/OrganizationAccountAccessRole`);
    expect(encryption?.hint).toBe(`grant s3:GetEncryptionConfiguration on ${encryption?.resource} to arn:aws:iam::${member}:role/OrganizationAccountAccessRole`);
    // The calls after a denied one are still tried: every other check passes.
    expect(report.checks.filter((c) => c.status === 'PASS').length).toBe(report.checks.length - 3);
    const text = formatConnectionReport(report);
    expect(text).toContain('3 check(s) failed');
    for (const check of failed) expect(text).toContain(`  - ${check.step}: ${check.hint ?? ''}`);
  });

  it('checks the account given with --account, and says how to fix a member role that cannot be assumed', async () => {
    const s = (sim = await startSimulator({ accounts: 3, queuesPerAccount: 1, bucketsPerAccount: 1 }));
    const members = [...s.org.accounts.values()].filter((a) => a.id !== s.managementAccountId && a.state === 'ACTIVE');
    const chosen = members.at(-1)?.id ?? '';
    expect(chosen).not.toBe(firstActiveMember(s));
    s.faults.denyMemberRoles = [chosen];
    const { report } = await connect({}, chosen);
    expect(report.memberAccount).toBe(chosen);
    expect(report.exitCode).toBe(3);
    const assume = report.checks.find((c) => c.status === 'FAIL');
    expect(assume).toMatchObject({ action: 'sts:AssumeRole', resource: `arn:aws:iam::${chosen}:role/OrganizationAccountAccessRole`, errorCode: 'AccessDenied' });
    expect(assume?.hint).toBe(`let ${s.chainRoleArn} assume arn:aws:iam::${chosen}:role/OrganizationAccountAccessRole: its trust policy must trust the chain's last role, and its sts:ExternalId condition match member_account_external_id`);
    expect(report.checks.at(-1)).toMatchObject({ status: 'SKIP', detail: 'its role could not be assumed' });
  });

  it('says when a member table has nothing to try its per-item calls on', async () => {
    const { report } = await connect({ resources: ['sqs'] }, null, { accounts: 2, queuesPerAccount: 0, bucketsPerAccount: 0 });
    expect(report.exitCode).toBe(0);
    const skipped = report.checks.filter((c) => c.status === 'SKIP');
    expect(skipped.map((c) => c.action)).toEqual(sqsQueues.enrich.map((step) => iamActionFor(step.call)));
    expect(skipped[0]?.detail).toMatch(/^no sqs_queues item in \d{12} us-east-1 to try it on$/);
  });

  it('exits 3 with AWS’s code and a trust-policy hint when the role refuses the external id', async () => {
    const { report } = await connect({ assume_external_id: 'not-the-right-one' });
    expect(report.exitCode).toBe(3);
    const hop = report.checks[1];
    expect(hop?.status).toBe('FAIL');
    expect(hop?.errorCode).toBe('AccessDenied');
    expect(hop?.hint).toMatch(/trust policy/);
    expect(report.checks.slice(2).every((c) => c.status === 'SKIP')).toBe(true);
  });
});

describe('test-connection on the command line', () => {
  beforeAll(ensureCliBuilt, 300_000);
  let cliSim: RunningSimulator;
  beforeAll(async () => {
    cliSim = await startSimulator({ accounts: 2, queuesPerAccount: 2, bucketsPerAccount: 2 });
  });
  afterAll(async () => cliSim.close());

  function paramsFile(): { cwd: string; file: string } {
    const cwd = tempDir('aoi-tc-');
    const file = path.join(cwd, 'parameters.json');
    writeFileSync(file, JSON.stringify(simulatorParameters(cliSim, { output_dir: path.join(cwd, 'output') })));
    return { cwd, file };
  }

  it('--json carries every check with its action, resource and fix, and the failed ones; exit 3', async () => {
    const member = firstActiveMember(cliSim);
    cliSim.faults.deny = [{ account: member, service: 'sqs', operation: 'GetQueueAttributes' }];
    try {
      const { cwd, file } = paramsFile();
      const run = await runCli(['test-connection', '--params', file, '--json'], { cwd });
      expect(run.status, run.stderr).toBe(3);
      const report = JSON.parse(run.stdout) as ConnectionReport;
      expect(report.exitCode).toBe(3);
      expect(report.memberAccount).toBe(member);
      const failed = report.checks.filter((c) => c.status === 'FAIL');
      expect(failed).toHaveLength(1);
      expect(failed[0]).toMatchObject({ action: 'sqs:GetQueueAttributes', errorCode: 'AccessDenied' });
      expect(failed[0]?.hint).toMatch(new RegExp(`^grant sqs:GetQueueAttributes on arn:aws:sqs:us-east-1:${member}:\\S+ to arn:aws:iam::${member}:role/OrganizationAccountAccessRole$`));
      expect(report.failed).toEqual([failed[0]?.step]);
      expect(report.checks.map((c) => c.action).filter(Boolean)).toEqual(expect.arrayContaining(MEMBER_ACTIONS));

      const text = await runCli(['test-connection', '--params', file], { cwd });
      expect(text.status).toBe(3);
      expect(text.stdout).toContain(`FAIL  ${failed[0]?.step}: AccessDenied`);
      expect(text.stdout).toContain('1 check(s) failed');
    } finally {
      cliSim.faults.deny = [];
    }
  }, 2 * CLI_TIMEOUT_MS);

  it('exits 0 when every check passes, and 2 for an --account that is not an account id', async () => {
    const { cwd, file } = paramsFile();
    const ok = await runCli(['test-connection', '--params', file, '--account', firstActiveMember(cliSim)], { cwd });
    expect(ok.status, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toContain('All checks passed.');
    const bad = await runCli(['test-connection', '--params', file, '--account', '12345'], { cwd });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--account: 12345 is not an account id.');
  }, 2 * CLI_TIMEOUT_MS);
});
