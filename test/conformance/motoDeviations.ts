/**
 * Where moto 5.2 answers differently from AWS for the seeding of `seedPlan.ts`. The conformance
 * test expects moto's answers in these cells; `aws` and `why` say what AWS answers instead. Each
 * was checked against moto's source; none is something the connector should detect or work around.
 */
import type { EmulatorDeviation } from './expectedInventory.js';
import type { SeededOrganization } from './seedOrganization.js';

export function motoDeviations(seeded: SeededOrganization): EmulatorDeviation[] {
  const out: EmulatorDeviation[] = [];
  const defaults = {
    publicAccessBlock: 'moto creates buckets without a public access block; AWS has blocked all public access on new buckets since April 2023 (GetPublicAccessBlock answers four true)',
    ownership: 'moto creates buckets without ownership controls; AWS has set BucketOwnerEnforced on new buckets since April 2023',
    encryption: 'moto creates buckets without default encryption; AWS has applied SSE-S3 (AES256, BucketKeyEnabled false) to every bucket since January 2023',
  };
  for (const bucket of seeded.buckets) {
    const key = `${bucket.accountId}/${bucket.name}`;
    const add = (column: string, aws: EmulatorDeviation['aws'], emulator: EmulatorDeviation['emulator'], why: string) => out.push({ table: 's3_buckets', key, column, aws, emulator, why });
    if (!bucket.plan.publicAccessBlock) {
      for (const column of ['block_public_acls', 'ignore_public_acls', 'block_public_policy', 'restrict_public_buckets']) add(column, 1, 0, defaults.publicAccessBlock);
    }
    if (!bucket.plan.ownership) add('object_ownership', 'BucketOwnerEnforced', null, defaults.ownership);
    if (!bucket.plan.encryption) {
      add('sse_algorithm', 'AES256', null, defaults.encryption);
      add('bucket_key_enabled', 0, null, defaults.encryption);
    }
    if (bucket.policy !== null && JSON.stringify(bucket.policy).includes('"Principal":"*"') && !JSON.stringify(bucket.policy).includes('"Condition"')) {
      add('policy_is_public', 1, 0, 'moto answers GetBucketPolicyStatus with an empty PolicyStatus (no IsPublic); AWS evaluates the policy and says true for an unconditioned Allow to "*"');
    }
  }
  for (const queue of seeded.queues) {
    const key = `${queue.accountId}/${queue.region}/${queue.name}`;
    const add = (column: string, aws: EmulatorDeviation['aws'], emulator: EmulatorDeviation['emulator'], why: string) => out.push({ table: 'sqs_queues', key, column, aws, emulator, why });
    if (queue.attributes.RedriveAllowPolicy !== undefined) {
      add('redrive_allow_policy', queue.attributes.RedriveAllowPolicy, null, 'moto ignores the RedriveAllowPolicy attribute of CreateQueue and never returns it from GetQueueAttributes');
    }
    if (queue.attributes.KmsMasterKeyId !== undefined) {
      add('sqs_managed_sse_enabled', 0, 1, 'moto reports SqsManagedSseEnabled true next to a KmsMasterKeyId; in AWS a queue has one kind of server-side encryption, SSE-KMS or SSE-SQS');
    }
  }
  return out;
}
