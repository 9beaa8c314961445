/** The `publish` block is validated like every other parameter: each problem names the field and the fix. */
import { describe, expect, it } from 'vitest';
import { exitCodeFor } from '../../src/errors/inventoryError.js';
import { loadParameters } from '../../src/parameters/load.js';
import { ParameterError } from '../../src/parameters/parameterError.js';
import { queueTarget, regionOfQueueUrl } from '../../src/publish/queueTarget.js';
import { writeParams } from '../helpers/writeParams.js';

const URL = 'https://sqs.eu-west-3.amazonaws.com/123456789012/inventory-events';

function load(publish: unknown, extra: Record<string, unknown> = {}) {
  return loadParameters({ file: writeParams({ publish, ...extra }).file, env: {} });
}

function problemsOf(publish: unknown, extra: Record<string, unknown> = {}): string[] {
  try {
    load(publish, extra);
  } catch (error) {
    expect(error).toBeInstanceOf(ParameterError);
    expect(exitCodeFor(error)).toBe(2);
    return (error as ParameterError).problems.map((p) => `${p.field}: ${p.message} ${p.hint ?? ''}`);
  }
  throw new Error('expected the parameters to be rejected');
}

describe('publish parameters', () => {
  it('defaults to no publishing, and fills the block’s defaults when it is given', () => {
    expect(load(null).publish).toBeNull();
    expect(load({ sqs_queue_url: URL }).publish).toEqual({
      sqs_queue_url: URL,
      sqs_queue_name: null,
      region: null,
      account_id: null,
      role_arn: null,
      external_id: null,
      role_session_name: null,
      events: ['run', 'changes'],
      endpoint: null,
    });
    expect(load({ sqs_queue_name: 'events.fifo', events: ['changes', 'changes'] }).publish?.events).toEqual(['changes']);
  });

  it('names the field and the fix for each bad value', () => {
    expect(problemsOf({})[0]).toMatch(/^publish: names no queue\. Set publish\.sqs_queue_url/);
    expect(problemsOf({ sqs_queue_url: 'https://sqs.eu-west-3.amazonaws.com/inventory-events' })[0]).toMatch(/^publish\.sqs_queue_url: .*must be a queue URL/);
    expect(problemsOf({ sqs_queue_name: 'has space' })[0]).toMatch(/^publish\.sqs_queue_name: .*1–80 letters, digits, hyphens or underscores/);
    expect(problemsOf({ sqs_queue_url: URL, sqs_queue_name: 'x' })[0]).toMatch(/^publish\.sqs_queue_name: is set together with publish\.sqs_queue_url/);
    expect(problemsOf({ sqs_queue_url: URL, account_id: '123456789012' })[0]).toMatch(/^publish\.account_id: .*Remove publish\.account_id/);
    expect(problemsOf({ sqs_queue_name: 'q', external_id: 'abc' })[0]).toMatch(/^publish\.external_id: is set without publish\.role_arn/);
    expect(problemsOf({ sqs_queue_name: 'q', role_arn: 'arn:aws:iam::123456789012:user/bob' })[0]).toMatch(/^publish\.role_arn: .*must be an IAM role ARN/);
    expect(problemsOf({ sqs_queue_name: 'q', role_arn: 'arn:aws-cn:iam::123456789012:role/Publisher' })[0]).toMatch(/^publish\.role_arn: is in partition aws-cn/);
    expect(problemsOf({ sqs_queue_name: 'q', events: [] })[0]).toMatch(/^publish\.events: .*at least one of run, changes/);
    expect(problemsOf({ sqs_queue_name: 'q', events: ['deletes'] })[0]).toMatch(/^publish\.events\[0\]/);
    expect(problemsOf({ sqs_queue_name: 'q', endpoint: 'sqs.local' })[0]).toMatch(/^publish\.endpoint: /);
    expect(problemsOf({ sqs_queue_name: 'q', queue: 'x' })[0]).toMatch(/^publish\.queue: /);
    expect(problemsOf({ sqs_queue_name: 'q' }, { formats: ['csv'] })[0]).toMatch(/^publish: needs the sqlite format/);
  });
});

describe('queueTarget', () => {
  it('takes account, name and region from an AWS queue URL, and knows a FIFO queue by its name', () => {
    expect(queueTarget(load({ sqs_queue_url: URL }).publish!, { region: 'us-east-1' })).toEqual({
      url: URL,
      label: URL,
      name: 'inventory-events',
      region: 'eu-west-3',
      accountId: '123456789012',
      fifo: false,
    });
    const byName = queueTarget(load({ sqs_queue_name: 'events.fifo', account_id: '210987654321' }).publish!, { region: 'ap-southeast-2' });
    expect(byName).toMatchObject({ url: null, name: 'events.fifo', region: 'ap-southeast-2', accountId: '210987654321', fifo: true, label: 'events.fifo (ap-southeast-2, account 210987654321)' });
  });

  it('reads the region from every AWS host form, and none from an emulator', () => {
    expect(regionOfQueueUrl('https://sqs.us-gov-west-1.amazonaws.com/123456789012/q')).toBe('us-gov-west-1');
    expect(regionOfQueueUrl('https://eu-central-1.queue.amazonaws.com/123456789012/q')).toBe('eu-central-1');
    expect(regionOfQueueUrl('https://sqs.cn-north-1.amazonaws.com.cn/123456789012/q')).toBe('cn-north-1');
    expect(regionOfQueueUrl('https://vpce-0abc-123.sqs.ap-south-1.vpce.amazonaws.com/123456789012/q')).toBe('ap-south-1');
    expect(regionOfQueueUrl('http://127.0.0.1:4566/123456789012/q')).toBeNull();
  });
});
