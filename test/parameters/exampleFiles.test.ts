/** The shipped parameter files stay valid, and example.json keeps matching the bundled simulated organization. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadParameters } from '../../src/parameters/load.js';
import { generateOrganization } from '../../src/simulator/generate.js';
import { BOOTSTRAP_ACCESS_KEY_ID, BOOTSTRAP_SECRET_ACCESS_KEY, DEFAULT_EXTERNAL_ID, DEFAULT_SIMULATOR_OPTIONS } from '../../src/simulator/index.js';

describe('parameters/example.json', () => {
  it('is valid and names the simulated organization: bootstrap keys, InventoryReader in the management account, external id', () => {
    const params = loadParameters({ file: 'parameters/example.json', env: {} });
    const org = generateOrganization({ ...DEFAULT_SIMULATOR_OPTIONS });
    expect(params.access_key_id).toBe(BOOTSTRAP_ACCESS_KEY_ID);
    expect(params.secret_access_key).toBe(BOOTSTRAP_SECRET_ACCESS_KEY);
    expect(params.master_assume_role_arn_chain).toEqual([`arn:aws:iam::${org.managementAccountId}:role/InventoryReader`]);
    expect(params.assume_external_id).toBe(DEFAULT_EXTERNAL_ID);
    expect(params.regions).toEqual([...DEFAULT_SIMULATOR_OPTIONS.regions].sort());
    expect(params.endpoint_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });
});

describe('parameters/minimal.json', () => {
  it('holds exactly the five seed fields, with secrets from the environment', () => {
    const raw = JSON.parse(readFileSync('parameters/minimal.json', 'utf8')) as Record<string, unknown>;
    expect(Object.keys(raw).sort()).toEqual(['access_key_id', 'assume_external_id', 'master_assume_role_arn_chain', 'secret_access_key', 'session_token']);
    expect(raw.secret_access_key).toMatch(/^env:/);
    const params = loadParameters({ file: 'parameters/minimal.json', env: { AWS_ACCESS_KEY_ID: 'AKIAMINIMALTEST00001', AWS_SECRET_ACCESS_KEY: 'minimal-test-secret' } });
    expect(params.secret_access_key).toBe('minimal-test-secret');
    expect(params.master_assume_role_arn_chain).toHaveLength(1);
  });
});
