/** AWS partitions, from a region name or an ARN. */

export type Partition = 'aws' | 'aws-cn' | 'aws-us-gov';

export function partitionOfRegion(region: string): Partition {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** The partition an ARN names, or null when the text is not an ARN. */
export function partitionOfArn(arn: string): string | null {
  const match = /^arn:([a-z-]+):/.exec(arn);
  return match?.[1] ?? null;
}
