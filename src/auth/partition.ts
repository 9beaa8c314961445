/** The partition a region belongs to; every ARN the connector builds uses it. */
export type Partition = 'aws' | 'aws-cn' | 'aws-us-gov';

export function partitionOf(region: string): Partition {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** The DNS suffix of a partition's public service endpoints (`sqs.<region>.<suffix>`). */
export function dnsSuffixOf(partition: Partition | string): string {
  return partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
}

export function memberRoleArn(partition: Partition, accountId: string, roleName: string): string {
  return `arn:${partition}:iam::${accountId}:role/${roleName}`;
}

/** The account id inside an ARN (`arn:aws:sts::123456789012:assumed-role/…`). */
export function accountOfArn(arn: string): string | null {
  const parts = arn.split(':');
  const account = parts[4];
  return account !== undefined && /^\d{12}$/.test(account) ? account : null;
}
