import { describe, expect, it } from 'vitest';
import { InventoryError, exitCodeFor } from '../../src/errors/inventoryError.js';
import { containsSecret } from '../../src/log/redact.js';
import { loadParameters } from '../../src/parameters/load.js';
import { ParameterError } from '../../src/parameters/parameterError.js';
import { writeParams } from '../helpers/writeParams.js';

const CHAIN = 'arn:aws:iam::111111111111:role/InventoryReader';

function load(content: unknown, options: { overrides?: Record<string, unknown>; env?: NodeJS.ProcessEnv } = {}) {
  return loadParameters({ file: writeParams(content).file, env: options.env ?? {}, overrides: options.overrides });
}

function problemsOf(content: unknown, options: { overrides?: Record<string, unknown>; env?: NodeJS.ProcessEnv } = {}): string[] {
  try {
    load(content, options);
  } catch (error) {
    expect(error).toBeInstanceOf(ParameterError);
    expect(exitCodeFor(error)).toBe(2);
    return (error as ParameterError).problems.map((p) => `${p.field}: ${p.message} ${p.hint ?? ''}`);
  }
  throw new Error('expected the parameters to be rejected');
}

describe('loadParameters: defaults and normalisation', () => {
  it('fills every default of DESIGN §1 from an empty object', () => {
    const p = load({});
    expect(p).toMatchObject({
      access_key_id: null,
      master_assume_role_arn_chain: [],
      role_session_name: 'aws-org-inventory',
      session_duration_seconds: 3600,
      member_account_role_name: 'OrganizationAccountAccessRole',
      member_account_external_id: null,
      authentication_type: 'access_keys',
      credential_refresh_window_seconds: 300,
      credential_cache: false,
      region: 'us-east-1',
      regions: ['us-east-1'],
      endpoint_url: null,
      s3_force_path_style: false,
      resources: ['organizations', 'sqs', 's3'],
      output_dir: './output',
      formats: ['sqlite', 'csv'],
      concurrency: 16,
      max_attempts: 8,
      log_level: 'info',
    });
  });

  it('splits a chain string on commas, semicolons and newlines and trims each entry', () => {
    const p = load({ master_assume_role_arn_chain: ` ${CHAIN} ,arn:aws:iam::222222222222:role/path/to/B;\narn:aws:iam::333333333333:role/C\n` });
    expect(p.master_assume_role_arn_chain).toEqual([CHAIN, 'arn:aws:iam::222222222222:role/path/to/B', 'arn:aws:iam::333333333333:role/C']);
  });

  it('sorts and de-duplicates regions, and keeps "all"', () => {
    expect(load({ regions: ['eu-west-1', 'us-east-1', 'eu-west-1'] }).regions).toEqual(['eu-west-1', 'us-east-1']);
    expect(load({ regions: 'all' }).regions).toBe('all');
    expect(load({ region: 'eu-central-1' }).regions).toEqual(['eu-central-1']);
  });

  it('defaults member_account_external_id to assume_external_id, but keeps an explicit null', () => {
    expect(load({ assume_external_id: 'ext-123' }).member_account_external_id).toBe('ext-123');
    expect(load({ assume_external_id: 'ext-123', member_account_external_id: null }).member_account_external_id).toBeNull();
    expect(load({ assume_external_id: 'ext-123', member_account_external_id: 'other' }).member_account_external_id).toBe('other');
  });

  it('uses path-style S3 by default only with an endpoint_url', () => {
    expect(load({ endpoint_url: 'http://127.0.0.1:4566' }).s3_force_path_style).toBe(true);
    expect(load({ endpoint_url: 'http://127.0.0.1:4566', s3_force_path_style: false }).s3_force_path_style).toBe(false);
    expect(load({}).s3_force_path_style).toBe(false);
  });

  it('ignores "$schema", which only points an editor at the JSON Schema', () => {
    expect(load({ $schema: './schema.json' }).region).toBe('us-east-1');
  });
});

describe('loadParameters: env: references and precedence', () => {
  it('replaces env:NAME in any string value, nested ones included', () => {
    const p = load(
      { access_key_id: 'env:KEY_ID', secret_access_key: 'env:SECRET', regions: ['env:REGION_A'], endpoints: { sts: 'env:STS' } },
      { env: { KEY_ID: 'AKIAEXAMPLEEXAMPLE01', SECRET: 'loaded-from-env-secret', REGION_A: 'eu-west-3', STS: 'https://sts.example.com' } },
    );
    expect(p.access_key_id).toBe('AKIAEXAMPLEEXAMPLE01');
    expect(p.secret_access_key).toBe('loaded-from-env-secret');
    expect(p.regions).toEqual(['eu-west-3']);
    expect(p.endpoints.sts).toBe('https://sts.example.com');
  });

  it('registers secrets, from the file and from the environment, with the redactor', () => {
    load(
      { access_key_id: 'AKIAEXAMPLEEXAMPLE02', secret_access_key: 'file-secret-registered-1', session_token: 'env:TOKEN' },
      { env: { TOKEN: 'env-token-registered-2' } },
    );
    expect(containsSecret('x file-secret-registered-1 y')).toBe(true);
    expect(containsSecret('x env-token-registered-2 y')).toBe(true);
    expect(containsSecret('AKIAEXAMPLEEXAMPLE02')).toBe(false);
  });

  it('names the variable and the field when an env: variable is unset', () => {
    const problems = problemsOf({ access_key_id: 'AKIAEXAMPLEEXAMPLE03', secret_access_key: 'env:NOT_SET_ANYWHERE' });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^secret_access_key: environment variable NOT_SET_ANYWHERE is not set/);
  });

  it('lets overrides win over the file, and resolves env: in them too', () => {
    const p = load({ concurrency: 4, output_dir: 'a' }, { overrides: { concurrency: 32, output_dir: 'env:OUT', regions: undefined }, env: { OUT: '/data/out' } });
    expect(p.concurrency).toBe(32);
    expect(p.output_dir).toBe('/data/out');
  });
});

describe('loadParameters: one message per problem, naming the field', () => {
  it('suggests the nearest name for an unknown key', () => {
    expect(problemsOf({ secret_key: 'x' })[0]).toMatch(/^secret_key: is not a known parameter\. Did you mean "secret_access_key"\?/);
    expect(problemsOf({ Region: 'us-east-1' })[0]).toMatch(/Did you mean "region"/);
    expect(problemsOf({ endpoints: { stss: 'http://x' } })[0]).toMatch(/^endpoints\.stss: .*Did you mean "sts"/);
    expect(problemsOf({ colour: 1 })[0]).toMatch(/^colour: is not a known parameter\. Remove it/);
  });

  it('names the bad chain entry by position', () => {
    const problems = problemsOf({ master_assume_role_arn_chain: [CHAIN, 'arn:aws:iam::12345:role/B'] });
    expect(problems).toEqual([expect.stringMatching(/^master_assume_role_arn_chain\[1\]: "arn:aws:iam::12345:role\/B" is not an IAM role ARN \(the second of 2 roles\)/)]);
  });

  it('rejects a chain that mixes partitions, and a region outside the chain partition', () => {
    expect(problemsOf({ master_assume_role_arn_chain: [CHAIN, 'arn:aws-cn:iam::222222222222:role/B'] })[0]).toMatch(/^master_assume_role_arn_chain: mixes partitions/);
    expect(problemsOf({ master_assume_role_arn_chain: 'arn:aws-us-gov:iam::222222222222:role/B' })[0]).toMatch(/^region: "us-east-1" is in partition aws, but the role chain is in aws-us-gov/);
    expect(load({ master_assume_role_arn_chain: 'arn:aws-us-gov:iam::222222222222:role/B', region: 'us-gov-west-1' }).region).toBe('us-gov-west-1');
  });

  it('reports every range and format problem of the file at once', () => {
    const problems = problemsOf({ assume_external_id: 'a', session_duration_seconds: 100, concurrency: 0, regions: [], mfa_token_code: '12' });
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(['assume_external_id', 'concurrency', 'mfa_token_code', 'regions', 'session_duration_seconds']);
    expect(problems.find((p) => p.startsWith('session_duration_seconds'))).toMatch(/at least 900.*got 100.*integer 900–43200/);
    // The value of a secret field is never echoed.
    expect(problems.find((p) => p.startsWith('mfa_token_code'))).not.toContain('12)');
  });

  it('explains a wrong type with the expected one', () => {
    expect(problemsOf({ concurrency: '8' })[0]).toMatch(/^concurrency: must be a number \(without quotes\), not a string \(got "8"\)/);
    expect(problemsOf({ master_assume_role_arn_chain: 5 })[0]).toMatch(/^master_assume_role_arn_chain: has the wrong type: a number/);
  });

  it('requires the secret with the key id, and the reverse', () => {
    expect(problemsOf({ access_key_id: 'AKIAEXAMPLEEXAMPLE04' })[0]).toMatch(/^secret_access_key: is missing, but access_key_id is set/);
    expect(problemsOf({ secret_access_key: 'lonely-secret-value' })[0]).toMatch(/^access_key_id: is missing, but secret_access_key is set/);
  });

  it('requires mfa_serial_number with mfa_token_code', () => {
    expect(problemsOf({ mfa_token_code: '123456' })[0]).toMatch(/^mfa_serial_number: is missing/);
  });

  it('checks authentication_type against roles_anywhere and access keys', () => {
    expect(problemsOf({ authentication_type: 'roles_anywhere' })[0]).toMatch(/^roles_anywhere: is missing/);
    const rolesAnywhere = {
      profile_arn: 'arn:aws:rolesanywhere:us-east-1:111111111111:profile/0c1f2e3d-aaaa-bbbb-cccc-000000000000',
      role_arn: CHAIN,
      trust_anchor_arn: 'arn:aws:rolesanywhere:us-east-1:111111111111:trust-anchor/0c1f2e3d-aaaa-bbbb-cccc-000000000001',
      region: 'us-east-1',
      certificate_path: 'cert.pem',
      private_key_path: 'key.pem',
    };
    expect(load({ authentication_type: 'roles_anywhere', roles_anywhere: rolesAnywhere }).roles_anywhere?.duration_seconds).toBe(3600);
    expect(
      problemsOf({ authentication_type: 'roles_anywhere', roles_anywhere: rolesAnywhere, access_key_id: 'AKIAEXAMPLEEXAMPLE05', secret_access_key: 'some-secret-value' })[0],
    ).toMatch(/cannot be combined with authentication_type "roles_anywhere"/);
    expect(problemsOf({ roles_anywhere: rolesAnywhere })[0]).toMatch(/^roles_anywhere: is set, but authentication_type is "access_keys"/);
  });

  it('rejects an account both included and excluded', () => {
    expect(problemsOf({ include_accounts: ['111111111111', '222222222222'], exclude_accounts: ['222222222222'] })[0]).toMatch(
      /^exclude_accounts: lists 222222222222, which include_accounts also lists/,
    );
  });
});

describe('loadParameters: the file itself', () => {
  function fileProblem(content: string | null): string {
    const file = content === null ? '/nonexistent/dir/params.json' : writeParams(content).file;
    try {
      loadParameters({ file, env: {} });
    } catch (error) {
      expect(error).toBeInstanceOf(InventoryError);
      expect((error as InventoryError).kind).toBe('config');
      return (error as InventoryError).describe();
    }
    throw new Error('expected the file to be rejected');
  }

  it('says when the file is missing', () => {
    expect(fileProblem(null)).toMatch(/\/nonexistent\/dir\/params\.json: parameter file not found\. Pass --params/);
  });

  it('gives line and column of a JSON syntax error, without quoting the file', () => {
    const message = fileProblem('{\n  "secret_access_key": "do-not-quote-me",\n  "region": "us-east-1",\n}\n');
    expect(message).toMatch(/is not valid JSON at line 4, column 1: trailing comma before "}"/);
    expect(message).not.toContain('do-not-quote-me');
  });

  it('says when the JSON is not an object', () => {
    expect(fileProblem('["region"]')).toMatch(/must hold one JSON object, but holds an array/);
    expect(fileProblem('null')).toMatch(/but holds null/);
  });
});
