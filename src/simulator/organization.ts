/**
 * The simulated AWS estate: one organization, its accounts, roles, queues and buckets, indexed so
 * that every request is answered without scanning. Tests mutate it between (or during) runs
 * through these methods, which keep the indexes right.
 */

export interface SimTag {
  Key: string;
  Value: string;
}

export type AccountState = 'ACTIVE' | 'SUSPENDED' | 'PENDING_CLOSURE';

export interface SimRoot {
  id: string;
  arn: string;
  name: string;
  tags: SimTag[];
  policyTypes: { Type: string; Status: 'ENABLED' | 'PENDING_ENABLE' | 'PENDING_DISABLE' }[];
}

export interface SimOrganizationalUnit {
  id: string;
  arn: string;
  name: string;
  parentId: string;
  tags: SimTag[];
}

export interface SimAccount {
  id: string;
  arn: string;
  name: string;
  email: string;
  state: AccountState;
  joinedMethod: 'CREATED' | 'INVITED';
  /** Epoch ms. */
  joinedTimestamp: number;
  parentId: string;
  tags: SimTag[];
}

export interface SimPolicy {
  id: string;
  arn: string;
  name: string;
  description: string;
  type: 'SERVICE_CONTROL_POLICY' | 'TAG_POLICY' | 'BACKUP_POLICY' | 'AISERVICES_OPT_OUT_POLICY';
  awsManaged: boolean;
  content: string;
  /** Ids of the roots, OUs and accounts it is attached to. */
  targets: string[];
}

export interface SimDelegatedAdministrator {
  accountId: string;
  servicePrincipal: string;
  /** Epoch ms. */
  delegationEnabledDate: number;
}

export interface SimRole {
  arn: string;
  accountId: string;
  name: string;
  /** `AROA…`, the role's unique id (the first half of an assumed role's UserId). */
  roleId: string;
  externalId?: string;
  trustedAccounts: string[];
  maxSessionDurationSeconds: number;
  /** A role of the configured chain (not a member-account role). */
  chainRole: boolean;
  /** The audience of web identity tokens this role accepts (AssumeRoleWithWebIdentity); none ⇒ it accepts none. */
  webIdentityAudience?: string;
}

export interface SimMessage {
  messageId: string;
  body: string;
  md5OfBody: string;
  /** Epoch ms when it becomes visible again. */
  visibleAt: number;
  receiveCount: number;
  sentAt: number;
  receiptHandle?: string;
  messageGroupId?: string;
  /** FIFO queues: the MessageDeduplicationId it was sent with. */
  deduplicationId?: string;
  attributes?: Record<string, unknown>;
}

export interface SimQueue {
  name: string;
  accountId: string;
  region: string;
  fifo: boolean;
  /** Epoch seconds. */
  createdTimestamp: number;
  lastModifiedTimestamp: number;
  /** Settable attributes that differ from SQS's defaults, as SQS strings. */
  attributes: Record<string, string>;
  tags: Record<string, string>;
  /** Messages AWS would count as already there (the generated backlog), not receivable. */
  backlog: { visible: number; notVisible: number; delayed: number };
  messages: SimMessage[];
}

export interface SimLifecycleRule {
  id: string;
  prefix: string;
  status: 'Enabled' | 'Disabled';
  expirationDays?: number;
  transitionDays?: number;
  transitionStorageClass?: string;
  noncurrentExpirationDays?: number;
  abortIncompleteMultipartDays?: number;
}

export interface SimBucket {
  name: string;
  accountId: string;
  region: string;
  /** Epoch ms. */
  creationDate: number;
  /** `mfaDelete` only when MFA delete was ever configured: AWS leaves `MfaDelete` out otherwise. */
  versioning?: { status: 'Enabled' | 'Suspended'; mfaDelete?: 'Enabled' | 'Disabled' };
  encryption?: { algorithm: 'AES256' | 'aws:kms' | 'aws:kms:dsse'; kmsKeyId?: string; bucketKeyEnabled: boolean };
  publicAccessBlock?: { blockPublicAcls: boolean; ignorePublicAcls: boolean; blockPublicPolicy: boolean; restrictPublicBuckets: boolean };
  /** The bucket policy document, as JSON text. */
  policy?: string;
  objectOwnership?: 'BucketOwnerEnforced' | 'BucketOwnerPreferred' | 'ObjectWriter';
  logging?: { targetBucket: string; targetPrefix: string };
  lifecycle?: SimLifecycleRule[];
  tags?: SimTag[];
}

interface RegionQueues {
  /** Sorted by name, so that ListQueues pages and QueueNamePrefix are a binary search. */
  sorted: SimQueue[];
  byName: Map<string, SimQueue>;
}

export interface OrganizationIdentity {
  organizationId: string;
  managementAccountId: string;
  managementAccountEmail: string;
  managementAccountName: string;
  /** The account holding the bootstrap IAM user, outside the organization. */
  identityAccountId: string;
  featureSet: 'ALL' | 'CONSOLIDATED_BILLING';
}

export class SimulatedOrganization {
  readonly organizationId: string;
  readonly managementAccountId: string;
  readonly managementAccountEmail: string;
  readonly managementAccountName: string;
  readonly identityAccountId: string;
  featureSet: 'ALL' | 'CONSOLIDATED_BILLING';
  root: SimRoot;
  /** When true, accounts are answered without `State` (only the deprecated `Status`), as older endpoints do. */
  omitAccountState = false;

  readonly organizationalUnits = new Map<string, SimOrganizationalUnit>();
  readonly accounts = new Map<string, SimAccount>();
  readonly policies = new Map<string, SimPolicy>();
  readonly delegatedAdministrators: SimDelegatedAdministrator[] = [];
  readonly roles = new Map<string, SimRole>();
  readonly buckets = new Map<string, SimBucket>();

  private readonly childOus = new Map<string, SimOrganizationalUnit[]>();
  private readonly childAccounts = new Map<string, SimAccount[]>();
  private readonly queues = new Map<string, Map<string, RegionQueues>>();
  private readonly bucketsByAccount = new Map<string, SimBucket[]>();
  private sortedAccounts: SimAccount[] | undefined;

  constructor(identity: OrganizationIdentity, root: SimRoot) {
    this.organizationId = identity.organizationId;
    this.managementAccountId = identity.managementAccountId;
    this.managementAccountEmail = identity.managementAccountEmail;
    this.managementAccountName = identity.managementAccountName;
    this.identityAccountId = identity.identityAccountId;
    this.featureSet = identity.featureSet;
    this.root = root;
  }

  get arn(): string {
    return `arn:aws:organizations::${this.managementAccountId}:organization/${this.organizationId}`;
  }

  // ── tree ────────────────────────────────────────────────────────────────────────────────

  addOrganizationalUnit(ou: SimOrganizationalUnit): void {
    this.organizationalUnits.set(ou.id, ou);
    pushTo(this.childOus, ou.parentId, ou);
  }

  addAccount(account: SimAccount): void {
    this.accounts.set(account.id, account);
    pushTo(this.childAccounts, account.parentId, account);
    this.sortedAccounts = undefined;
  }

  /** Takes an account out of the organization (its queues and buckets stay with it). */
  removeAccount(accountId: string): void {
    const account = this.accounts.get(accountId);
    if (!account) return;
    this.accounts.delete(accountId);
    removeFrom(this.childAccounts, account.parentId, account);
    this.sortedAccounts = undefined;
    // As in Organizations, a departed account is no longer a policy target or an administrator.
    for (const policy of this.policies.values()) policy.targets = policy.targets.filter((id) => id !== accountId);
    for (let i = this.delegatedAdministrators.length - 1; i >= 0; i -= 1) {
      if (this.delegatedAdministrators[i]?.accountId === accountId) this.delegatedAdministrators.splice(i, 1);
    }
  }

  moveAccount(accountId: string, newParentId: string): void {
    const account = this.accounts.get(accountId);
    if (!account) throw new Error(`no account ${accountId}`);
    removeFrom(this.childAccounts, account.parentId, account);
    account.parentId = newParentId;
    pushTo(this.childAccounts, newParentId, account);
  }

  isParent(id: string): boolean {
    return id === this.root.id || this.organizationalUnits.has(id);
  }

  childOrganizationalUnits(parentId: string): readonly SimOrganizationalUnit[] {
    return this.childOus.get(parentId) ?? [];
  }

  childAccountsOf(parentId: string): readonly SimAccount[] {
    return this.childAccounts.get(parentId) ?? [];
  }

  /** Every account, in the order ListAccounts pages through them. */
  allAccounts(): readonly SimAccount[] {
    this.sortedAccounts ??= [...this.accounts.values()].sort((a, b) => a.id.localeCompare(b.id));
    return this.sortedAccounts;
  }

  memberAccountIds(): string[] {
    return this.allAccounts()
      .map((a) => a.id)
      .filter((id) => id !== this.managementAccountId);
  }

  /** The account's or OU's parent id, or undefined for the root and unknown ids. */
  parentOf(childId: string): string | undefined {
    return this.accounts.get(childId)?.parentId ?? this.organizationalUnits.get(childId)?.parentId;
  }

  // ── roles ───────────────────────────────────────────────────────────────────────────────

  addRole(role: SimRole): void {
    this.roles.set(role.arn, role);
  }

  // ── queues ──────────────────────────────────────────────────────────────────────────────

  addQueue(queue: SimQueue): SimQueue {
    let byRegion = this.queues.get(queue.accountId);
    if (!byRegion) this.queues.set(queue.accountId, (byRegion = new Map()));
    let region = byRegion.get(queue.region);
    if (!region) byRegion.set(queue.region, (region = { sorted: [], byName: new Map() }));
    if (region.byName.has(queue.name)) throw new Error(`queue ${queue.name} already exists in ${queue.accountId}/${queue.region}`);
    region.byName.set(queue.name, queue);
    const sorted = region.sorted;
    // Generated queues arrive in name order: appending is the common case.
    const last = sorted[sorted.length - 1];
    if (!last || last.name < queue.name) sorted.push(queue);
    else sorted.splice(lowerBound(sorted, queue.name), 0, queue);
    return queue;
  }

  removeQueue(accountId: string, region: string, name: string): boolean {
    const regionQueues = this.queues.get(accountId)?.get(region);
    const queue = regionQueues?.byName.get(name);
    if (!regionQueues || !queue) return false;
    regionQueues.byName.delete(name);
    regionQueues.sorted.splice(lowerBound(regionQueues.sorted, name), 1);
    return true;
  }

  queue(accountId: string, region: string, name: string): SimQueue | undefined {
    return this.queues.get(accountId)?.get(region)?.byName.get(name);
  }

  /** The account's queues in a region, sorted by name (do not mutate). */
  queuesIn(accountId: string, region: string): readonly SimQueue[] {
    return this.queues.get(accountId)?.get(region)?.sorted ?? [];
  }

  /** The index of the first queue whose name is ≥ `name` in `queuesIn(accountId, region)`. */
  queueIndexAtOrAfter(accountId: string, region: string, name: string): number {
    return lowerBound(this.queuesIn(accountId, region), name);
  }

  queueCount(): number {
    let count = 0;
    for (const byRegion of this.queues.values()) for (const region of byRegion.values()) count += region.sorted.length;
    return count;
  }

  // ── buckets ─────────────────────────────────────────────────────────────────────────────

  addBucket(bucket: SimBucket): SimBucket {
    if (this.buckets.has(bucket.name)) throw new Error(`bucket ${bucket.name} already exists`);
    this.buckets.set(bucket.name, bucket);
    let list = this.bucketsByAccount.get(bucket.accountId);
    if (!list) this.bucketsByAccount.set(bucket.accountId, (list = []));
    list.splice(lowerBound(list, bucket.name), 0, bucket);
    return bucket;
  }

  removeBucket(name: string): boolean {
    const bucket = this.buckets.get(name);
    if (!bucket) return false;
    this.buckets.delete(name);
    const list = this.bucketsByAccount.get(bucket.accountId);
    if (list) list.splice(lowerBound(list, name), 1);
    return true;
  }

  /** The account's buckets, sorted by name (do not mutate). */
  bucketsOf(accountId: string): readonly SimBucket[] {
    return this.bucketsByAccount.get(accountId) ?? [];
  }
}

function pushTo<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function removeFrom<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (!list) return;
  const index = list.indexOf(value);
  if (index >= 0) list.splice(index, 1);
}

function lowerBound(sorted: readonly { name: string }[], name: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const item = sorted[mid];
    if (item !== undefined && item.name < name) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
