import { afterEach, describe, expect, it } from 'vitest';
import { formatConnectionReport, testConnection } from '../../src/diagnostics/testConnection.js';
import { startSimulator } from '../../src/simulator/index.js';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { collectLogs, parametersFor } from '../helpers/harness.js';

let sim: RunningSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

describe('test-connection', () => {
  it('passes every step against a healthy organization and names each hop’s ARN', async () => {
    sim = await startSimulator({ accounts: 2 });
    const report = await testConnection(parametersFor(sim), collectLogs().logger);
    expect(report.exitCode).toBe(0);
    expect(report.checks.map((c) => c.status)).toEqual(['PASS', 'PASS', 'PASS', 'PASS', 'PASS', 'PASS']);
    expect(report.checks[0]?.arn).toContain(`:iam::${sim.org.identityAccountId}:user/`);
    expect(report.checks[1]?.arn).toBe(`arn:aws:sts::${sim.managementAccountId}:assumed-role/InventoryReader/aws-org-inventory`);
    expect(report.checks[1]?.expiration).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(formatConnectionReport(report)).toContain('All checks passed.');
  });

  it('exits 3 with AWS’s code and a trust-policy hint when the role refuses the external id', async () => {
    sim = await startSimulator({ accounts: 2 });
    const report = await testConnection(parametersFor(sim, { assume_external_id: 'not-the-right-one' }), collectLogs().logger);
    expect(report.exitCode).toBe(3);
    const hop = report.checks[1];
    expect(hop?.status).toBe('FAIL');
    expect(hop?.errorCode).toBe('AccessDenied');
    expect(hop?.hint).toMatch(/trust policy/);
    expect(report.checks.slice(2).every((c) => c.status === 'SKIP')).toBe(true);
  });

  it('exits 1 when authentication works but a permission is missing', async () => {
    sim = await startSimulator({ accounts: 2 });
    sim.faults.deny = [{ service: 'sqs', operation: 'ListQueues' }];
    const report = await testConnection(parametersFor(sim), collectLogs().logger);
    expect(report.exitCode).toBe(1);
    const sqs = report.checks.find((c) => c.step.startsWith('sqs:ListQueues'));
    expect(sqs).toMatchObject({ status: 'FAIL', errorCode: 'AccessDenied' });
    expect(sqs?.hint).toContain('sqs:ListQueues');
  });
});
