/**
 * The errors of a run grouped by cause: one group per error name, call and kind of credentials,
 * each with the fix from `errorFix.ts`. `run` logs one line per group when a run ends partial, and
 * the HTML report lists the groups; both word them from here.
 */
import { fixFor } from './errorFix.js';
import type { FailedStep } from './errorFix.js';

/** One recorded error, as the `errors` table holds it (the store's `ErrorRecord` has this shape). */
export interface ErrorRecord {
  accountId: string | null;
  region: string | null;
  service: string;
  operation: string;
  resource: string | null;
  errorCode: string;
  message: string;
}

export interface ErrorGroup {
  errorCode: string;
  service: string;
  operation: string;
  step: FailedStep;
  principal: 'chain' | 'member';
  fix: string;
  count: number;
  /** Distinct accounts and regions of the group's errors, sorted. */
  accounts: string[];
  regions: string[];
  /** The first errors of the group (by account, region, resource), at most `sampleLimit`. */
  samples: ErrorRecord[];
}

/**
 * The crawl records AssumeRole failures only for member roles: a failing chain hop stops the run
 * before anything is written. Calls in the account the chain ends in use the chain's last role.
 */
function stepOf(row: ErrorRecord): FailedStep {
  return row.service === 'sts' && row.operation === 'AssumeRole' ? 'member-role' : 'call';
}

/** Groups, most errors first; `callerAccountId` is the account of the run's caller ARN. */
export function groupErrors(rows: Iterable<ErrorRecord>, callerAccountId: string | null, sampleLimit = 100): ErrorGroup[] {
  const groups = new Map<string, ErrorGroup & { accountSet: Set<string>; regionSet: Set<string> }>();
  for (const row of rows) {
    const step = stepOf(row);
    const principal = row.accountId !== null && row.accountId !== callerAccountId ? 'member' : 'chain';
    const key = JSON.stringify([row.errorCode, row.service, row.operation, step, principal]);
    let group = groups.get(key);
    if (group === undefined) {
      const fix = fixFor({ errorCode: row.errorCode, service: row.service, operation: row.operation, step, principal });
      group = { errorCode: row.errorCode, service: row.service, operation: row.operation, step, principal, fix, count: 0, accounts: [], regions: [], samples: [], accountSet: new Set(), regionSet: new Set() };
      groups.set(key, group);
    }
    group.count += 1;
    if (row.accountId !== null) group.accountSet.add(row.accountId);
    if (row.region !== null) group.regionSet.add(row.region);
    // Samples are the first ones in account order, so all are kept until sorted; none when none are asked for.
    if (sampleLimit > 0) group.samples.push(row);
  }
  const order = (a: ErrorRecord, b: ErrorRecord): number =>
    (a.accountId ?? '').localeCompare(b.accountId ?? '') || (a.region ?? '').localeCompare(b.region ?? '') || (a.resource ?? '').localeCompare(b.resource ?? '');
  return [...groups.values()]
    .map(({ accountSet, regionSet, ...group }) => ({
      ...group,
      accounts: [...accountSet].sort(),
      regions: [...regionSet].sort(),
      samples: group.samples.sort(order).slice(0, sampleLimit),
    }))
    .sort((a, b) => b.count - a.count || a.errorCode.localeCompare(b.errorCode) || `${a.service}:${a.operation}`.localeCompare(`${b.service}:${b.operation}`));
}

/** One line per group, as `run` logs them: how many, what, where, and the fix. */
export function describeErrorGroup(group: ErrorGroup): string {
  const where = group.accounts.length === 0 ? '' : ` in ${group.accounts.length} account${group.accounts.length === 1 ? '' : 's'}`;
  return `${group.count} × ${group.errorCode} on ${group.service}:${group.operation}${where}; fix: ${group.fix}`;
}

/** The account id in an ARN (`arn:aws:sts::123456789012:assumed-role/…`), or null. */
export function accountOfArn(arn: string | null | undefined): string | null {
  const account = arn?.split(':')[4];
  return account !== undefined && /^\d{12}$/.test(account) ? account : null;
}
