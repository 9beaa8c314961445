/** The one wording of fixes: the IAM action of each call, and a fix per cause. */
import { describe, expect, it } from 'vitest';
import { describeErrorGroup, groupErrors } from '../../src/errors/errorCauses.js';
import type { ErrorRecord } from '../../src/errors/errorCauses.js';
import { iamActionFor } from '../../src/aws/iamActions.js';
import { fixFor } from '../../src/errors/errorFix.js';

describe('iamActionFor', () => {
  it.each([
    ['s3', 'ListBuckets', 's3:ListAllMyBuckets'],
    ['s3', 'HeadBucket', 's3:ListBucket'],
    ['s3', 'GetBucketEncryption', 's3:GetEncryptionConfiguration'],
    ['s3', 'GetPublicAccessBlock', 's3:GetBucketPublicAccessBlock'],
    ['s3', 'GetBucketLifecycleConfiguration', 's3:GetLifecycleConfiguration'],
    ['s3', 'GetBucketPolicy', 's3:GetBucketPolicy'],
    ['sqs', 'GetQueueAttributes', 'sqs:GetQueueAttributes'],
    ['organizations', 'ListAccountsForParent', 'organizations:ListAccountsForParent'],
  ])('%s %s needs %s', (service, operation, action) => {
    expect(iamActionFor(`${service}:${operation}`)).toBe(action);
  });
});

describe('fixFor', () => {
  it('words each cause for the credentials that met it', () => {
    expect(fixFor({ errorCode: 'AccessDenied', service: 's3', operation: 'GetBucketEncryption', step: 'call', principal: 'member' })).toBe(
      'grant s3:GetEncryptionConfiguration to the member role (member_account_role_name) in that account',
    );
    expect(fixFor({ errorCode: 'AccessDeniedException', service: 'organizations', operation: 'ListAccounts', step: 'call', principal: 'chain' })).toBe("grant organizations:ListAccounts to the chain's last role");
    expect(fixFor({ errorCode: 'AccessDenied', service: 'sts', operation: 'AssumeRole', step: 'member-role' })).toMatch(/^the member role cannot be assumed: .*exclude_accounts$/);
    expect(fixFor({ errorCode: 'AccessDenied', service: 'sts', operation: 'AssumeRole', step: 'chain-role' })).toMatch(/trust policy .* assume_external_id/);
    expect(fixFor({ errorCode: 'InvalidClientTokenId', service: 'sts', operation: 'GetCallerIdentity', step: 'first-credentials' })).toMatch(/access key id is unknown/);
    expect(fixFor({ errorCode: 'InvalidClientTokenId', service: 'sqs', operation: 'ListQueues', step: 'call', principal: 'member' })).toMatch(/enable the region for the account, or leave it out of regions/);
    expect(fixFor({ errorCode: 'OptInRequired', service: 'sqs', operation: 'ListQueues', step: 'call' })).toMatch(/region is not enabled/);
    expect(fixFor({ errorCode: 'SlowDown', service: 's3', operation: 'GetBucketTagging', step: 'call' })).toMatch(/max_attempts/);
    expect(fixFor({ errorCode: 'InternalError', service: 's3', operation: 'GetBucketTagging', step: 'call' })).toMatch(/run again/);
  });
});

describe('groupErrors', () => {
  const row = (accountId: string, operation: string, errorCode = 'AccessDenied', region = 'us-east-1'): ErrorRecord => ({
    accountId,
    region,
    service: operation === 'AssumeRole' ? 'sts' : 's3',
    operation,
    resource: `${accountId}-${operation}`,
    errorCode,
    message: 'denied',
  });

  it('groups by error, call and credentials, most errors first (then by name), with samples in account order', () => {
    const groups = groupErrors(
      [row('222222222222', 'GetBucketPolicy'), row('111111111111', 'GetBucketPolicy', 'AccessDenied', 'eu-west-1'), row('333333333333', 'AssumeRole'), row('999999999999', 'GetBucketPolicy')],
      '999999999999',
      1,
    );
    expect(groups.map((g) => [g.errorCode, g.operation, g.principal, g.count])).toEqual([
      ['AccessDenied', 'GetBucketPolicy', 'member', 2],
      ['AccessDenied', 'GetBucketPolicy', 'chain', 1],
      ['AccessDenied', 'AssumeRole', 'member', 1],
    ]);
    expect(groups[0]).toMatchObject({ accounts: ['111111111111', '222222222222'], regions: ['eu-west-1', 'us-east-1'] });
    expect(groups[0]?.samples.map((s) => s.accountId)).toEqual(['111111111111']);
    expect(groups[2]?.step).toBe('member-role');
    expect(describeErrorGroup(groups[0]!)).toBe('2 × AccessDenied on s3:GetBucketPolicy in 2 accounts; fix: grant s3:GetBucketPolicy to the member role (member_account_role_name) in that account');
  });
});
