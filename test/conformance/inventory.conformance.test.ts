/**
 * End to end against moto: seed an organization through the AWS SDK, run the built CLI through a
 * two-hop role chain with an external id and member roles, and check every table column by
 * column against what was seeded.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { GetCallerIdentityCommand, AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { applyDeviations, expectedInventory } from './expectedInventory.js';
import { startMoto } from '../helpers/motoServer.js';
import type { MotoServer } from '../helpers/motoServer.js';
import { motoDeviations } from './motoDeviations.js';
import { compareTable } from './rowExpectations.js';
import type { StoredRow, TableExpectation } from './rowExpectations.js';
import { runCli, runConnector } from './runConnector.js';
import type { ConnectorRun } from './runConnector.js';
import { FIRST_CREDENTIALS, seedOrganization } from './seedOrganization.js';
import type { SeededOrganization } from './seedOrganization.js';

const moto = inject('moto');
const build = inject('build');
const BOOKKEEPING = ['first_seen_run', 'last_seen_run', 'deleted_run'];
const TABLES = ['organization', 'organization_roots', 'organizational_units', 'accounts', 'policies', 'policy_targets', 'delegated_administrators', 'sqs_queues', 's3_buckets'];

if (!moto.available) {
  it.skip(`SKIPPED: moto is not available (${moto.reason}); the conformance suite did not run`, () => {});
} else {
  describe(`inventory of a moto ${moto.version} organization`, () => {
    let server: MotoServer | undefined;
    let seeded: SeededOrganization;
    let workDir: string;
    let run: ConnectorRun | undefined;
    let db: Database.Database | undefined;
    const firstCsv = new Map<string, string>();

    beforeAll(async () => {
      server = await startMoto();
      seeded = await seedOrganization(server.endpoint);
      workDir = mkdtempSync(path.join(tmpdir(), 'aws-org-inventory-conformance-'));
    });

    afterAll(async () => {
      db?.close();
      await server?.stop();
      if (workDir) rmSync(workDir, { recursive: true, force: true });
    });

    it('moto acts as the account whose role was assumed, and keeps accounts apart', async () => {
      const payments = seeded.accounts.find((a) => a.key === 'payments-prod');
      expect(payments).toBeDefined();
      const sts = new STSClient({ endpoint: seeded.endpoint, region: 'us-east-1', credentials: FIRST_CREDENTIALS });
      const assumed = await sts.send(
        new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${payments?.id}:role/${seeded.chain.memberRoleName}`, RoleSessionName: 'conformance-check' }),
      );
      const credentials = {
        accessKeyId: assumed.Credentials?.AccessKeyId ?? '',
        secretAccessKey: assumed.Credentials?.SecretAccessKey ?? '',
        sessionToken: assumed.Credentials?.SessionToken ?? '',
      };
      const identity = await new STSClient({ endpoint: seeded.endpoint, region: 'us-east-1', credentials }).send(new GetCallerIdentityCommand({}));
      expect(identity.Account).toBe(payments?.id);
      const inMember = await new SQSClient({ endpoint: seeded.endpoint, region: 'us-east-1', credentials }).send(new ListQueuesCommand({ MaxResults: 1000 }));
      const inManagement = await new SQSClient({ endpoint: seeded.endpoint, region: 'us-east-1', credentials: FIRST_CREDENTIALS }).send(new ListQueuesCommand({ MaxResults: 1000 }));
      expect(inMember.QueueUrls?.length).toBe(seeded.queues.filter((q) => q.accountId === payments?.id && q.region === 'us-east-1').length);
      expect(inManagement.QueueUrls ?? []).toEqual([]);
    });

    it('test-connection passes every hop of the chain and every call of the crawl, in a member account with queues and buckets', async () => {
      expect(build.ok, `npx tsc -p tsconfig.build.json failed:\n${build.output}`).toBe(true);
      // The member account to try the per-queue and per-bucket calls in: one that has both.
      const payments = seeded.accounts.find((a) => a.key === 'payments-prod')?.id ?? '';
      const checked = await runCli(seeded, path.join(workDir, 'test-connection'), (file) => ['test-connection', '--params', file, '--json', '--account', payments]);
      const context = `exit ${checked.exitCode}\nstdout:\n${checked.stdout}\nstderr:\n${checked.stderr.slice(-3000)}`;
      expect(checked.exitCode, context).toBe(0);
      const report = JSON.parse(checked.stdout) as { checks: { step: string; status: string; detail: string }[] };
      expect(report.checks.filter((c) => c.status !== 'PASS'), context).toEqual([]);
      for (const roleArn of seeded.chain.roleArns) expect(JSON.stringify(report.checks), `a check names ${roleArn}`).toContain(roleArn);
      expect(checked.stdout + checked.stderr).not.toContain(FIRST_CREDENTIALS.secretAccessKey);
    });

    it('the CLI crawls moto through the two-hop chain and exits 0', async () => {
      expect(build.ok, `npx tsc -p tsconfig.build.json failed:\n${build.output}`).toBe(true);
      run = await runConnector(seeded, workDir);
      const context = `exit ${run.exitCode} after ${run.seconds.toFixed(1)} s\nstderr (last 4000 characters):\n${run.stderr.slice(-4000)}`;
      expect(run.exitCode, context).toBe(0);
      db = new Database(path.join(run.outputDir, 'inventory.sqlite'), { readonly: true, fileMustExist: true });
      const errors = db.prepare('SELECT account_id, region, service, operation, resource, error_code, message FROM errors').all();
      expect(errors, 'errors table').toEqual([]);
      const runs = db.prepare('SELECT status, caller_arn, error_count FROM runs').all() as { status: string; caller_arn: string; error_count: number }[];
      expect(runs).toHaveLength(1);
      expect(runs[0]?.status).toBe('succeeded');
      expect(runs[0]?.error_count).toBe(0);
      // The chain ends in the reader role of the management account.
      expect(runs[0]?.caller_arn).toMatch(new RegExp(`^arn:aws:sts::${seeded.organization.managementAccountId}:assumed-role/InventoryReader/conformance-inventory$`));
    });

    describe('every table holds exactly what was seeded', () => {
      const expectations = (): TableExpectation[] => applyDeviations(expectedInventory(seeded), motoDeviations(seeded));
      for (const table of TABLES) {
        it(table, () => {
          expect(db, 'the crawl did not produce a database (see the test above)').toBeDefined();
          if (db === undefined) return;
          const expectation = expectations().find((e) => e.table === table);
          expect(expectation).toBeDefined();
          if (expectation === undefined) return;
          const columns = (db.prepare(`PRAGMA table_info("${table}")`).all() as { name: string }[]).map((c) => c.name).filter((c) => !BOOKKEEPING.includes(c));
          const rows = db.prepare(`SELECT * FROM "${table}" WHERE deleted_run IS NULL`).all() as StoredRow[];
          expect(compareTable(expectation, columns, rows)).toEqual([]);
        });
      }
    });

    it('lists where moto differs from AWS, and every listed cell exists', () => {
      const deviations = motoDeviations(seeded);
      const expectations = expectedInventory(seeded);
      for (const d of deviations) {
        const expectation = expectations.find((e) => e.table === d.table);
        const row = expectation?.rows.find((r) => expectation.primaryKey.map((k) => String(r[k])).join('/') === d.key);
        expect(row, `deviation for ${d.table}[${d.key}] names no seeded row`).toBeDefined();
        expect(expectation?.columns, `deviation names unknown column ${d.table}.${d.column}`).toContain(d.column);
      }
      console.info(`moto differs from AWS in ${deviations.length} cells:\n${deviations.map((d) => `  ${d.table}[${d.key}].${d.column}: AWS ${JSON.stringify(d.aws)}, moto ${JSON.stringify(d.emulator)} — ${d.why}`).join('\n')}`);
      expect(deviations.length).toBeGreaterThan(0);
    });

    it('writes one CSV per table with the same rows, and no secret anywhere', () => {
      expect(run, 'the crawl did not run').toBeDefined();
      if (run === undefined || db === undefined) return;
      const csvDir = path.join(run.outputDir, 'csv');
      const files = readdirSync(csvDir).filter((f) => f.endsWith('.csv'));
      for (const table of TABLES) {
        expect(files).toContain(`${table}.csv`);
        const columns = (db.prepare(`PRAGMA table_info("${table}")`).all() as { name: string }[]).map((c) => c.name).filter((c) => !BOOKKEEPING.includes(c));
        const count = (db.prepare(`SELECT count(*) AS n FROM "${table}" WHERE deleted_run IS NULL`).get() as { n: number }).n;
        const text = readFileSync(path.join(csvDir, `${table}.csv`), 'utf8');
        firstCsv.set(table, text);
        // A header of the table's columns, then one CRLF record per row (no seeded value holds a line break).
        const records = text.split('\r\n');
        expect(records.pop(), `${table}.csv ends with CRLF`).toBe('');
        expect(records[0], `${table}.csv header`).toBe(columns.join(','));
        expect(records, `${table}.csv records`).toHaveLength(count + 1);
      }
      const everything = [
        run.stdout,
        run.stderr,
        readFileSync(run.parameterFile, 'utf8'),
        readFileSync(path.join(run.outputDir, 'inventory.sqlite')).toString('latin1'),
        ...files.map((f) => readFileSync(path.join(csvDir, f), 'utf8')),
      ].join('\n');
      expect(everything).not.toContain(FIRST_CREDENTIALS.secretAccessKey);
      // moto's session tokens all start with this prefix (AWS's used to, too).
      expect(everything).not.toContain('FQoGZXIvYXdzE');
    });

    it('a second run over the unchanged organization records no change and writes the same CSV bytes', async () => {
      expect(firstCsv.size, 'the first run wrote no CSV (see above)').toBe(TABLES.length);
      const second = await runConnector(seeded, workDir);
      expect(second.exitCode, second.stderr.slice(-4000)).toBe(0);
      const after = new Database(path.join(second.outputDir, 'inventory.sqlite'), { readonly: true, fileMustExist: true });
      try {
        const runs = after.prepare('SELECT run_id, status FROM runs ORDER BY run_id').all() as { run_id: number; status: string }[];
        expect(runs.map((r) => r.status)).toEqual(['succeeded', 'succeeded']);
        const changes = after.prepare('SELECT table_name, primary_key, change, changed_columns FROM changes WHERE run_id = ?').all(runs[1]?.run_id);
        expect(changes).toEqual([]);
        for (const table of TABLES) expect(after.prepare(`SELECT count(*) AS n FROM "${table}" WHERE deleted_run IS NOT NULL`).get(), `${table} rows marked deleted`).toEqual({ n: 0 });
      } finally {
        after.close();
      }
      for (const table of TABLES) expect(readFileSync(path.join(second.outputDir, 'csv', `${table}.csv`), 'utf8'), `${table}.csv`).toBe(firstCsv.get(table));
    });
  });
}
