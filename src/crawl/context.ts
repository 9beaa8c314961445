/**
 * What a table's steps see of the crawl: the target they run for and clients whose every call
 * goes through the one scheduler (limits, retries, credential renewal, error rows).
 */
import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Logger } from '../log/logger.js';
import type { OrganizationWalk } from './organizationWalk.js';

/** A client whose `send` runs through the scheduler. */
export interface ScheduledClient<C extends { send: unknown }> {
  send: C['send'];
}

export interface TargetContext {
  partition: string;
  /** The account the target is in (null for the organization target). */
  accountId: string | null;
  /** The region of an account-region target; null otherwise. */
  region: string | null;
  /** The run's home region (`region` parameter): account-wide listings such as S3 ListBuckets go there. */
  homeRegion: string;
  organizations(): ScheduledClient<OrganizationsClient>;
  sqs(region: string): ScheduledClient<SQSClient>;
  s3(region: string): ScheduledClient<S3Client>;
  logger: Logger;
  /** The organization, walked once per run (Organizations tables). */
  organization: OrganizationWalk;
  /** Resolves with how the member crawl of an account ended (the `accounts.crawl_status` column). */
  memberCrawlStatus(accountId: string): Promise<CrawlStatus>;
}

export type CrawlStatus = 'crawled' | 'denied' | 'skipped-inactive' | 'filtered' | 'error' | 'other-shard' | 'not-crawled';
