/** The exposure rules on the shapes AWS documents take. */
import { describe, expect, it } from 'vitest';
import { publicAccessBlockOf, queueEncryption, statementsAllowingAnyone } from '../../src/report/exposure.js';

const policy = (...statements: unknown[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });

describe('statementsAllowingAnyone', () => {
  it('finds Allow statements for "*", {"AWS": "*"} and {"AWS": [… "*" …]}, with their conditions', () => {
    const found = statementsAllowingAnyone(
      policy(
        { Sid: 'Star', Effect: 'Allow', Principal: '*', Action: ['sqs:SendMessage', 'sqs:ReceiveMessage'] },
        { Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sqs:*', Condition: { ArnEquals: { 'aws:SourceArn': 'arn:aws:sns:us-east-1:111111111111:t' }, Bool: { 'aws:SecureTransport': 'true' } } },
        { Sid: 'List', Effect: 'Allow', Principal: { AWS: ['arn:aws:iam::111111111111:root', '*'] }, Action: 'sqs:GetQueueUrl' },
      ),
    );
    expect(found).toEqual([
      { sid: 'Star', actions: ['sqs:SendMessage', 'sqs:ReceiveMessage'], conditions: [] },
      { sid: '#2', actions: ['sqs:*'], conditions: ['ArnEquals aws:SourceArn', 'Bool aws:SecureTransport'] },
      { sid: 'List', actions: ['sqs:GetQueueUrl'], conditions: [] },
    ]);
  });

  it('ignores Deny, named principals, services, a single statement object without "*", and text that is not a policy', () => {
    expect(
      statementsAllowingAnyone(
        policy(
          { Effect: 'Deny', Principal: '*', Action: 'sqs:*' },
          { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111111111111:root' }, Action: 'sqs:*' },
          { Effect: 'Allow', Principal: { Service: 'sns.amazonaws.com' }, Action: 'sqs:SendMessage' },
        ),
      ),
    ).toEqual([]);
    expect(statementsAllowingAnyone({ Statement: { Effect: 'Allow', Principal: { AWS: '111111111111' }, Action: 'sqs:*' } })).toEqual([]);
    expect(statementsAllowingAnyone({ Statement: { Effect: 'Allow', Principal: '*', Action: 'sqs:*' } })).toHaveLength(1);
    expect(statementsAllowingAnyone('not json')).toEqual([]);
    expect(statementsAllowingAnyone(null)).toEqual([]);
  });
});

describe('publicAccessBlockOf and queueEncryption', () => {
  it('tells no block, a partial one and a full one apart, and an unread one from all of them', () => {
    const block = (a: number | null, b: number | null, c: number | null, d: number | null) => ({ block_public_acls: a, ignore_public_acls: b, block_public_policy: c, restrict_public_buckets: d });
    expect(publicAccessBlockOf(block(0, 0, 0, 0))).toBe('none');
    expect(publicAccessBlockOf(block(1, 0, 1, 0))).toBe('partial');
    expect(publicAccessBlockOf(block(1, 1, 1, 1))).toBe('full');
    expect(publicAccessBlockOf({ ...block(1, 1, 1, 1), block_public_acls: true, ignore_public_acls: 't' })).toBe('full');
    expect(publicAccessBlockOf(block(null, null, null, null))).toBeNull();
  });

  it('names SSE-KMS, SSE-SQS, none, and unknown when the attributes were not read', () => {
    expect(queueEncryption({ kms_master_key_id: 'alias/aws/sqs', sqs_managed_sse_enabled: 0 })).toBe('SSE-KMS');
    expect(queueEncryption({ kms_master_key_id: null, sqs_managed_sse_enabled: 1 })).toBe('SSE-SQS');
    expect(queueEncryption({ kms_master_key_id: null, sqs_managed_sse_enabled: 0 })).toBe('none');
    expect(queueEncryption({ kms_master_key_id: null, sqs_managed_sse_enabled: null })).toBeNull();
  });
});
