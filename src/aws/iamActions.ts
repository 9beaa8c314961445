/**
 * The IAM action that allows an API call, for the calls whose action is not named like the
 * operation (`s3:ListBuckets` needs `s3:ListAllMyBuckets`). A fact about AWS, keyed by the
 * `service:Operation` names the table declarations give their calls; every other call's action
 * is its own name.
 */
const ACTION_OF_CALL: Readonly<Record<string, string>> = {
  's3:ListBuckets': 's3:ListAllMyBuckets',
  's3:HeadBucket': 's3:ListBucket',
  's3:GetBucketEncryption': 's3:GetEncryptionConfiguration',
  's3:GetPublicAccessBlock': 's3:GetBucketPublicAccessBlock',
  's3:GetBucketLifecycleConfiguration': 's3:GetLifecycleConfiguration',
};

/** `service:Operation` → the IAM action to grant for it. */
export function iamActionFor(call: string): string {
  return ACTION_OF_CALL[call] ?? call;
}
