/**
 * The region of a bucket that ListBuckets did not give one for (older endpoints, emulators).
 * HeadBucket answers it in `x-amz-bucket-region` from any region — on a 200, and also on the 301 a
 * regional endpoint sends for a bucket elsewhere (the SDK throws on that, so the header is read
 * from the error's raw response). GetBucketLocation is asked only when no header came back.
 */
import { GetBucketLocationCommand, HeadBucketCommand } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import type { ScheduledClient } from '../../crawl/context.js';
import { awsErrorClass, awsErrorName, responseHeader } from './awsError.js';

export type BucketRegionLookup =
  | { status: 'found'; region: string; via: 'HeadBucket' | 'GetBucketLocation' }
  /** The bucket was deleted since it was listed. */
  | { status: 'gone' }
  /**
   * Neither call told the region; `reason` names both answers. `failure` is GetBucketLocation's
   * error when AWS refused it or failed (denied, expired, throttled, an outage, after the
   * scheduler's retries): the region exists but could not be read this time. Without `failure`
   * the endpoint just does not tell regions (an emulator without GetBucketLocation).
   */
  | { status: 'unknown'; reason: string; failure?: unknown };

const GONE = ['NoSuchBucket', 'NotFound'];

/** Answers that say the region could not be read this time, not that the endpoint has none to tell. */
const READ_FAILURES: ReadonlySet<string> = new Set(['denied', 'expired', 'throttled', 'transient', 'auth']);

/** GetBucketLocation's answer as a region: empty means us-east-1, and `EU` is the legacy eu-west-1. */
export function regionFromLocationConstraint(value: string | null | undefined): string {
  if (value === undefined || value === null || value === '') return 'us-east-1';
  if (value === 'EU') return 'eu-west-1';
  return value;
}

/** Finds the region of `bucket` through `client` (any region's client will do; use the home region's). */
export async function findBucketRegion(client: ScheduledClient<S3Client>, bucket: string): Promise<BucketRegionLookup> {
  let headAnswer: string;
  try {
    const output = await client.send(new HeadBucketCommand({ Bucket: bucket }));
    if (output.BucketRegion !== undefined && output.BucketRegion !== '') return { status: 'found', region: output.BucketRegion, via: 'HeadBucket' };
    headAnswer = 'HeadBucket answered without x-amz-bucket-region';
  } catch (error) {
    const region = responseHeader(error, 'x-amz-bucket-region');
    if (region !== undefined) return { status: 'found', region, via: 'HeadBucket' };
    const name = awsErrorName(error);
    if (GONE.includes(name)) return { status: 'gone' };
    headAnswer = `HeadBucket failed with ${name}`;
  }
  try {
    const output = await client.send(new GetBucketLocationCommand({ Bucket: bucket }));
    return { status: 'found', region: regionFromLocationConstraint(output.LocationConstraint), via: 'GetBucketLocation' };
  } catch (error) {
    const name = awsErrorName(error);
    if (name === 'NoSuchBucket') return { status: 'gone' };
    const reason = `${headAnswer}; GetBucketLocation failed with ${name}`;
    return READ_FAILURES.has(awsErrorClass(error)) ? { status: 'unknown', reason, failure: error } : { status: 'unknown', reason };
  }
}
