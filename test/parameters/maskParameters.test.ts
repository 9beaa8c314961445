import { describe, expect, it } from 'vitest';
import { loadParameters } from '../../src/parameters/load.js';
import { maskParameters } from '../../src/parameters/maskParameters.js';
import { writeParams } from '../helpers/writeParams.js';

describe('maskParameters', () => {
  it('masks every secret and shows only the last four characters of the key id', () => {
    const params = loadParameters({
      file: writeParams({
        access_key_id: 'AKIAMASKTEST00009876',
        secret_access_key: 'mask-test-secret-value',
        session_token: 'mask-test-session-token',
        mfa_serial_number: 'arn:aws:iam::111111111111:mfa/me',
        mfa_token_code: '246810',
      }).file,
      env: {},
    });
    const masked = maskParameters(params);
    expect(masked).toMatchObject({ access_key_id: '***9876', secret_access_key: '***', session_token: '***', mfa_token_code: '***' });
    const text = JSON.stringify(masked);
    for (const secret of ['AKIAMASKTEST', 'mask-test-secret-value', 'mask-test-session-token', '246810']) expect(text).not.toContain(secret);
    expect(masked.region).toBe('us-east-1');
  });
});
