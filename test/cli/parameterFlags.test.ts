import { describe, expect, it } from 'vitest';
import { parameterFlags, parameterOverrides } from '../../src/cli/parameterFlags.js';

function kinds(): Record<string, string> {
  return Object.fromEntries(parameterFlags().map((flag) => [flag.flag, flag.kind]));
}

describe('parameter flags derived from the schema', () => {
  it('gives each simple parameter a dashed flag of the right kind, and none to credentials or objects', () => {
    expect(kinds()).toMatchObject({
      region: 'string',
      regions: 'list',
      resources: 'list',
      'include-accounts': 'list',
      'output-dir': 'string',
      concurrency: 'number',
      'session-duration-seconds': 'number',
      's3-force-path-style': 'boolean',
      'master-assume-role-arn-chain': 'string',
      'credential-cache': 'string',
    });
    for (const absent of ['access-key-id', 'secret-access-key', 'session-token', 'mfa-token-code', 'roles-anywhere', 'endpoints', 'log-level']) {
      expect(kinds()).not.toHaveProperty(absent);
    }
  });

  it('turns given flags into parameter overrides and leaves the others out', () => {
    expect(
      parameterOverrides({
        regions: 'eu-west-1, us-east-1',
        resources: ['sqs', 's3,organizations'],
        concurrency: '32',
        'output-dir': '/data/out',
        's3-force-path-style': false,
      }),
    ).toEqual({ regions: ['eu-west-1', 'us-east-1'], resources: ['sqs', 's3', 'organizations'], concurrency: 32, output_dir: '/data/out', s3_force_path_style: false });
  });

  it('reads the special values: all, null and false', () => {
    expect(parameterOverrides({ regions: 'all', 'member-account-role-name': 'null', 'credential-cache': 'false', 'include-accounts': 'null' })).toEqual({
      regions: 'all',
      member_account_role_name: null,
      credential_cache: false,
      include_accounts: null,
    });
  });

  it('leaves a number it cannot read as text, for validation to name', () => {
    expect(parameterOverrides({ concurrency: 'many' })).toEqual({ concurrency: 'many' });
    expect(parameterOverrides({ regions: '' })).toEqual({ regions: [] });
  });
});
