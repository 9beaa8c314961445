/**
 * The organization, walked once per run and shared by the Organizations tables and the member
 * crawl. The tree is walked from the roots with ListOrganizationalUnitsForParent and
 * ListAccountsForParent, so every account's parent and OU path come with the walk (no
 * per-account ListParents), and each account is handed to the member crawl the moment it is
 * found. Pages are followed until NextToken is absent: Organizations may answer an empty page
 * that still carries a token.
 */
import {
  DescribeOrganizationCommand,
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  ListPoliciesCommand,
  ListRootsCommand,
} from '@aws-sdk/client-organizations';
import type { Account, Organization, OrganizationalUnit, PolicySummary, PolicyTypeSummary, Root } from '@aws-sdk/client-organizations';
import type { TargetContext } from './context.js';
import { ReplayableStream } from './replayableStream.js';

export interface TreePosition {
  /** Root and OU ids from the root down to and including this node. */
  pathIds: string[];
  pathNames: string[];
}

export interface OuNode extends TreePosition {
  ou: OrganizationalUnit;
  parentId: string;
  /** 1 for an OU directly under the root. */
  depth: number;
}

export interface AccountNode {
  account: Account;
  /** Null outside an organization. */
  parentId: string | null;
  /** Position of the account's parent. */
  parent: TreePosition;
}

export interface EnabledPolicyType {
  rootId: string;
  type: string;
}

/** Follows NextToken until it is absent; an empty page with a token is not the end. */
export async function* pages<T extends { NextToken?: string | undefined }>(fetch: (token: string | undefined) => Promise<T>): AsyncGenerator<T> {
  let token: string | undefined;
  do {
    const page = await fetch(token);
    yield page;
    token = page.NextToken !== undefined && page.NextToken !== '' ? page.NextToken : undefined;
  } while (token !== undefined);
}

/** The Organizations operations of the tree walk, which finds the accounts. */
export const WALK_OPERATIONS: ReadonlySet<string> = new Set(['DescribeOrganization', 'ListRoots', 'ListOrganizationalUnitsForParent', 'ListAccountsForParent']);
/** The scheduler priority of the walk's calls: ahead of the other Organizations calls (tags, policies). */
export const WALK_PRIORITY = 1;

export class OrganizationWalk {
  readonly roots = new ReplayableStream<Root>();
  readonly ous = new ReplayableStream<OuNode>();
  readonly accounts = new ReplayableStream<AccountNode>();
  private organizationPromise: Promise<Organization> | undefined;
  private treePromise: Promise<void> | undefined;
  private policyStream: ReplayableStream<PolicySummary> | undefined;
  private managementId: string | null = null;
  /** False outside an organization (single-account mode): nothing to ask Organizations. */
  inUse = true;

  constructor(private readonly ctx: TargetContext) {}

  /** DescribeOrganization, once. Rejects as AWS answered (not in use, denied). */
  organization(): Promise<Organization> {
    this.organizationPromise ??= this.ctx
      .organizations()
      .send(new DescribeOrganizationCommand({}))
      .then((out) => {
        if (!out.Organization) throw new Error('DescribeOrganization answered without an organization');
        this.managementId = out.Organization.MasterAccountId ?? null;
        return out.Organization;
      });
    return this.organizationPromise;
  }

  /** The management account's id, once DescribeOrganization has answered. */
  managementAccountId(): string | null {
    return this.managementId;
  }

  /**
   * Outside an organization the caller's own account is the whole inventory: it is published
   * as the one account, with no OUs, roots or policies.
   */
  standalone(account: Account): void {
    this.inUse = false;
    this.accounts.push({ account, parentId: null, parent: { pathIds: [], pathNames: [] } });
    this.roots.close();
    this.ous.close();
    this.accounts.close();
    this.policyStream = new ReplayableStream<PolicySummary>();
    this.policyStream.close();
    this.treePromise = Promise.resolve();
  }

  /** Starts the tree walk (once); resolves when every root, OU and account has been found. */
  walkTree(): Promise<void> {
    this.treePromise ??= this.walk().then(
      () => {
        this.roots.close();
        this.ous.close();
        this.accounts.close();
      },
      (error: unknown) => {
        this.roots.fail(error);
        this.ous.fail(error);
        this.accounts.fail(error);
        throw error;
      },
    );
    return this.treePromise;
  }

  /** Policy types enabled on the roots (from ListRoots: no extra call). */
  async enabledPolicyTypes(): Promise<EnabledPolicyType[]> {
    const out: EnabledPolicyType[] = [];
    for await (const root of this.roots) {
      for (const t of root.PolicyTypes ?? ([] as PolicyTypeSummary[])) {
        if (t.Status === 'ENABLED' && t.Type) out.push({ rootId: root.Id ?? '', type: t.Type });
      }
    }
    return out;
  }

  /** Every policy of every enabled type, listed once and shared by `policies` and `policy_targets`. */
  policies(): ReplayableStream<PolicySummary> {
    if (!this.policyStream) {
      const stream = new ReplayableStream<PolicySummary>();
      this.policyStream = stream;
      void (async () => {
        const types = [...new Set((await this.enabledPolicyTypes()).map((t) => t.type))].sort();
        for (const type of types) {
          for await (const page of pages((NextToken) => this.ctx.organizations().send(new ListPoliciesCommand({ Filter: type as never, NextToken })))) {
            for (const policy of page.Policies ?? []) stream.push(policy);
          }
        }
      })().then(
        () => stream.close(),
        (error: unknown) => stream.fail(error),
      );
    }
    return this.policyStream;
  }

  private async walk(): Promise<void> {
    const org = this.ctx.organizations();
    const roots: Root[] = [];
    for await (const page of pages((NextToken) => org.send(new ListRootsCommand({ NextToken })))) {
      for (const root of page.Roots ?? []) {
        roots.push(root);
        this.roots.push(root);
      }
    }
    await Promise.all(
      roots.map((root) => {
        const id = root.Id ?? '';
        return this.walkParent(id, { pathIds: [id], pathNames: [root.Name ?? 'Root'] }, 0);
      }),
    );
  }

  private async walkParent(parentId: string, position: TreePosition, depth: number): Promise<void> {
    const org = this.ctx.organizations();
    const children: Promise<void>[] = [];
    const listOus = (async () => {
      for await (const page of pages((NextToken) => org.send(new ListOrganizationalUnitsForParentCommand({ ParentId: parentId, NextToken })))) {
        for (const ou of page.OrganizationalUnits ?? []) {
          const id = ou.Id ?? '';
          const node: OuNode = {
            ou,
            parentId,
            depth: depth + 1,
            pathIds: [...position.pathIds, id],
            pathNames: [...position.pathNames, ou.Name ?? id],
          };
          this.ous.push(node);
          children.push(this.walkParent(id, node, depth + 1));
        }
      }
    })();
    const listAccounts = (async () => {
      for await (const page of pages((NextToken) => org.send(new ListAccountsForParentCommand({ ParentId: parentId, NextToken })))) {
        for (const account of page.Accounts ?? []) this.accounts.push({ account, parentId, parent: position });
      }
    })();
    // Wait for every started request, failed or not, before reporting the first failure.
    const listed = await Promise.allSettled([listOus, listAccounts]);
    const below = await Promise.allSettled(children);
    for (const result of [...listed, ...below]) if (result.status === 'rejected') throw result.reason;
  }
}
