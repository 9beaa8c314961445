/** The `simulate` command's flag parsing: every knob reaches the simulator, bad values are named. */
import { describe, expect, it } from 'vitest';
import { parseDeny, parseRegionsNotEnabled, parseThrottle } from '../../src/simulator/simulateCommand.js';

describe('simulate flags', () => {
  it('parses throttle rates by service', () => {
    expect(parseThrottle(['organizations=0.2', '*=0.05'])).toEqual({ organizations: 0.2, '*': 0.05 });
    expect(() => parseThrottle(['organizations'])).toThrow(/write SERVICE=RATE/);
    expect(() => parseThrottle(['sqs=2'])).toThrow(/between 0 and 1, got 2/);
  });

  it('parses deny rules with any subset of account, region, service and operation', () => {
    expect(parseDeny(['account=123456789012,service=sqs', 'operation=GetBucketPolicy'])).toEqual([
      { account: '123456789012', service: 'sqs' },
      { operation: 'GetBucketPolicy' },
    ]);
    expect(() => parseDeny(['acount=1'])).toThrow(/keys account, region, service, operation/);
  });

  it('parses regions not enabled per account', () => {
    expect(parseRegionsNotEnabled(['123456789012:ap-east-1', '123456789012:me-south-1'])).toEqual({ '123456789012': ['ap-east-1', 'me-south-1'] });
    expect(() => parseRegionsNotEnabled(['ap-east-1'])).toThrow(/ACCOUNT:REGION/);
  });
});
