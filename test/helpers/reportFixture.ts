/**
 * An inventory worth a report: the demo organization (the simulator's defaults, the regions of
 * parameters/example.json) crawled twice with the html format, and between the two runs a bucket
 * retagged, a queue opened to everyone with a new visibility timeout, a bucket deleted, a queue
 * created, one member role made unassumable, one account's GetBucketEncryption denied, and an
 * account tagged with markup (which the page must show as text, never run).
 * The second run also records every session token it used, for the secret scans.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import type { RunResult } from '../../src/crawl/run.js';
import { addGeneratedQueue, DEFAULT_REGIONS } from '../../src/simulator/index.js';
import type { RunningSimulator, SimBucket, SimQueue } from '../../src/simulator/index.js';
import { crawlFixture, spyHandler } from './harness.js';
import type { CrawlFixture } from './harness.js';

export const DEMO_REGIONS = ['ap-southeast-2', 'eu-west-1', 'us-east-1'];

/** A tag value that would run script if the page inserted it as HTML. */
export const MARKUP_TAG = { Key: 'note', Value: '<img src=x onerror="document.title=\'pwned\'"></script><script>document.title=\'pwned\'</script>' };

/** Anyone may send to the queue: the exposure view must list it. */
export const OPEN_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Sid: 'AnyoneMaySend', Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sqs:SendMessage', Resource: '*' }],
});

export interface ReportInventory {
  fixture: CrawlFixture;
  sim: RunningSimulator;
  outputDir: string;
  sqlitePath: string;
  reportPath: string;
  first: RunResult;
  second: RunResult;
  /** What changed between the runs. */
  retagged: { bucket: SimBucket; accountId: string; before: Record<string, string>; after: Record<string, string> };
  opened: { queue: SimQueue; visibilityBefore: string };
  deletedBucket: SimBucket;
  createdQueue: SimQueue;
  deniedAccount: string;
  encryptionDeniedAccount: string;
  /** The account tagged with MARKUP_TAG. */
  markupAccount: string;
  /** Session tokens and secret keys the second run's requests were signed with or carried. */
  secretsSeen: string[];
  close(): Promise<void>;
}

function tagObject(bucket: SimBucket): Record<string, string> {
  return Object.fromEntries((bucket.tags ?? []).map((t) => [t.Key, t.Value]));
}

export async function reportInventory(): Promise<ReportInventory> {
  if (DEMO_REGIONS.join() !== [...DEFAULT_REGIONS].sort().join()) throw new Error(`the demo regions changed: ${DEFAULT_REGIONS.join(', ')}`);
  const fixture = await crawlFixture({}, { regions: DEMO_REGIONS, formats: ['sqlite', 'csv', 'html'] });
  const { sim, params } = fixture;
  try {
    const first = await fixture.run();
    const org = sim.org;
    const members = org.memberAccountIds().sort();
    const [retagAccount, queueAccount, deniedAccount, encryptionDeniedAccount] = members;
    if (retagAccount === undefined || queueAccount === undefined || deniedAccount === undefined || encryptionDeniedAccount === undefined) throw new Error('the demo organization has fewer than four members');

    const bucket = org.bucketsOf(retagAccount).find((b) => (b.tags ?? []).length > 0);
    if (bucket === undefined) throw new Error(`no tagged bucket in ${retagAccount}`);
    const before = tagObject(bucket);
    bucket.tags = [...(bucket.tags ?? []), { Key: 'owner', Value: 'report-test' }];
    const retagged = { bucket, accountId: retagAccount, before, after: tagObject(bucket) };

    const queue = DEMO_REGIONS.flatMap((r) => org.queuesIn(queueAccount, r)).find((q) => q.attributes.Policy === undefined && !q.fifo);
    if (queue === undefined) throw new Error(`no plain queue in ${queueAccount}`);
    const visibilityBefore = queue.attributes.VisibilityTimeout ?? '30';
    queue.attributes.VisibilityTimeout = '45';
    queue.attributes.Policy = OPEN_POLICY;

    const deletedBucket = org.bucketsOf(queueAccount).at(-1);
    if (deletedBucket === undefined || !org.removeBucket(deletedBucket.name)) throw new Error(`no bucket to delete in ${queueAccount}`);
    const createdQueue = addGeneratedQueue(org, retagAccount, DEMO_REGIONS, 900, 1000);

    const markupAccount = retagAccount;
    const account = org.accounts.get(markupAccount);
    if (account === undefined) throw new Error(`no account ${markupAccount}`);
    account.tags = [...account.tags, MARKUP_TAG];

    sim.faults.denyMemberRoles = [deniedAccount];
    sim.faults.deny = [{ account: encryptionDeniedAccount, operation: 'GetBucketEncryption' }];

    const spy = spyHandler();
    const second = await fixture.run({ requestHandler: spy.handler });
    const secretsSeen = [...new Set(spy.seen.map((r) => r.securityToken).filter((t): t is string => t !== null))];
    secretsSeen.push(sim.bootstrap.secretAccessKey);

    const outputDir = params.output_dir;
    return {
      fixture,
      sim,
      outputDir,
      sqlitePath: path.join(outputDir, 'inventory.sqlite'),
      reportPath: path.join(outputDir, 'report.html'),
      first,
      second,
      retagged,
      opened: { queue, visibilityBefore },
      deletedBucket,
      createdQueue,
      deniedAccount,
      encryptionDeniedAccount,
      markupAccount,
      secretsSeen,
      close: async () => {
        await fixture.close();
        rmSync(path.dirname(outputDir), { recursive: true, force: true });
      },
    };
  } catch (error) {
    await fixture.close();
    rmSync(path.dirname(params.output_dir), { recursive: true, force: true });
    throw error;
  }
}
