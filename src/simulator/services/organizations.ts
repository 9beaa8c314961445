/** AWS Organizations over JSON 1.1 (`X-Amz-Target: AWSOrganizationsV20161128.<Op>`). */
import { requestId } from '../requestId.js';
import type { AuthContext, SimRequest, SimResponse } from '../http.js';
import { headerValue } from '../http.js';
import type { ServiceEnvironment, SimService } from '../service.js';
import { jsonResponse, num, parseJsonBody, str } from '../service.js';
import { organizationsFailure } from '../failures.js';
import { decodePageToken, pageOf } from '../pagination.js';
import { SimError } from '../simError.js';
import type { SimAccount, SimOrganizationalUnit, SimPolicy, SimTag } from '../organization.js';

const TARGET_PREFIX = 'AWSOrganizationsV20161128.';
const CONTENT_TYPE = 'application/x-amz-json-1.1';
const MAX_PAGE = 20;
const ORGANIZATIONS_PRINCIPAL = 'organizations.amazonaws.com';

type Input = Record<string, unknown>;

export class OrganizationsService implements SimService {
  readonly name = 'organizations';
  readonly regional = false;

  constructor(private readonly env: ServiceEnvironment) {}

  operation(request: SimRequest): string {
    const target = headerValue(request.headers, 'x-amz-target') ?? '';
    return target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : 'Unknown';
  }

  failure = organizationsFailure;

  render(error: SimError, _request: SimRequest, requestId: string): SimResponse {
    return {
      status: error.status,
      headers: { 'content-type': CONTENT_TYPE, 'x-amzn-requestid': requestId, ...error.headers },
      body: JSON.stringify({ __type: error.code, Message: error.message, ...error.fields }),
    };
  }

  handle(operation: string, request: SimRequest, auth: AuthContext): SimResponse {
    const org = this.env.org;
    const notInUse = new SimError('AWSOrganizationsNotInUseException', 400, 'Your account is not a member of an organization.');
    if (this.env.faults.organizationsNotInUse || !org.accounts.has(auth.caller.accountId)) throw notInUse;
    // Any member may describe its organization; everything else is for the management account
    // and delegated administrators of Organizations.
    if (operation !== 'DescribeOrganization' && !this.mayAdminister(auth.caller.accountId)) {
      throw new SimError('AccessDeniedException', 400, "You don't have permissions to access this resource.");
    }
    const input = parseJsonBody(request);
    const result = this.dispatch(operation, input);
    return jsonResponse(result, CONTENT_TYPE, requestId());
  }

  private mayAdminister(accountId: string): boolean {
    const org = this.env.org;
    return (
      accountId === org.managementAccountId ||
      org.delegatedAdministrators.some((d) => d.accountId === accountId && d.servicePrincipal === ORGANIZATIONS_PRINCIPAL)
    );
  }

  private dispatch(operation: string, input: Input): unknown {
    const org = this.env.org;
    switch (operation) {
      case 'DescribeOrganization':
        return {
          Organization: {
            Id: org.organizationId,
            Arn: org.arn,
            FeatureSet: org.featureSet,
            MasterAccountArn: org.accounts.get(org.managementAccountId)?.arn,
            MasterAccountId: org.managementAccountId,
            MasterAccountEmail: org.managementAccountEmail,
            AvailablePolicyTypes: org.root.policyTypes,
          },
        };
      case 'ListRoots': {
        const page = this.page([org.root], input, 'roots');
        return withToken({ Roots: page.items.map((r) => ({ Id: r.id, Arn: r.arn, Name: r.name, PolicyTypes: r.policyTypes })) }, page.nextToken);
      }
      case 'ListOrganizationalUnitsForParent': {
        const parentId = this.parent(input);
        const page = this.page(org.childOrganizationalUnits(parentId), input, `ous/${parentId}`);
        return withToken({ OrganizationalUnits: page.items.map(ouJson) }, page.nextToken);
      }
      case 'DescribeOrganizationalUnit': {
        const ou = org.organizationalUnits.get(str(input, 'OrganizationalUnitId') ?? '');
        if (!ou) throw new SimError('OrganizationalUnitNotFoundException', 400, "We can't find an OU with the OrganizationalUnitId that you specified.");
        return { OrganizationalUnit: ouJson(ou) };
      }
      case 'ListAccountsForParent': {
        const parentId = this.parent(input);
        const page = this.page(org.childAccountsOf(parentId), input, `accounts/${parentId}`);
        return withToken({ Accounts: page.items.map((a) => this.accountJson(a)) }, page.nextToken);
      }
      case 'ListAccounts': {
        const page = this.page(org.allAccounts(), input, 'accounts');
        return withToken({ Accounts: page.items.map((a) => this.accountJson(a)) }, page.nextToken);
      }
      case 'DescribeAccount':
        return { Account: this.accountJson(this.account(str(input, 'AccountId'))) };
      case 'ListChildren': {
        const parentId = this.parent(input);
        const type = str(input, 'ChildType');
        if (type !== 'ACCOUNT' && type !== 'ORGANIZATIONAL_UNIT') throw invalidInput('ChildType must be ACCOUNT or ORGANIZATIONAL_UNIT.');
        const children = type === 'ACCOUNT' ? org.childAccountsOf(parentId) : org.childOrganizationalUnits(parentId);
        const page = this.page(children, input, `children/${type}/${parentId}`);
        return withToken({ Children: page.items.map((c) => ({ Id: c.id, Type: type })) }, page.nextToken);
      }
      case 'ListParents': {
        const childId = str(input, 'ChildId') ?? '';
        const parentId = org.parentOf(childId);
        if (!parentId) throw new SimError('ChildNotFoundException', 400, "We can't find an organizational unit (OU) or AWS account with the ChildId that you specified.");
        const page = this.page([parentId], input, `parents/${childId}`);
        return withToken(
          { Parents: page.items.map((id) => ({ Id: id, Type: id === org.root.id ? 'ROOT' : 'ORGANIZATIONAL_UNIT' })) },
          page.nextToken,
        );
      }
      case 'ListTagsForResource': {
        const resourceId = str(input, 'ResourceId') ?? '';
        const tags = this.tagsOf(resourceId);
        const page = this.page(tags, input, `tags/${resourceId}`);
        return withToken({ Tags: page.items }, page.nextToken);
      }
      case 'ListPolicies': {
        const type = this.policyFilter(input);
        const policies = [...org.policies.values()].filter((p) => p.type === type);
        const page = this.page(policies, input, `policies/${type}`);
        return withToken({ Policies: page.items.map(policySummary) }, page.nextToken);
      }
      case 'ListPoliciesForTarget': {
        const targetId = str(input, 'TargetId') ?? '';
        this.targetOf(targetId);
        const type = this.policyFilter(input);
        const policies = [...org.policies.values()].filter((p) => p.type === type && p.targets.includes(targetId));
        const page = this.page(policies, input, `policies/${type}/${targetId}`);
        return withToken({ Policies: page.items.map(policySummary) }, page.nextToken);
      }
      case 'DescribePolicy': {
        const policy = this.policy(str(input, 'PolicyId'));
        return { Policy: { PolicySummary: policySummary(policy), Content: policy.content } };
      }
      case 'ListTargetsForPolicy': {
        const policy = this.policy(str(input, 'PolicyId'));
        const page = this.page(policy.targets, input, `targets/${policy.id}`);
        return withToken({ Targets: page.items.map((id) => this.targetOf(id)) }, page.nextToken);
      }
      case 'ListDelegatedAdministrators': {
        const principal = str(input, 'ServicePrincipal');
        const seen = new Map<string, number>();
        for (const d of org.delegatedAdministrators) {
          if (principal !== undefined && d.servicePrincipal !== principal) continue;
          const earliest = seen.get(d.accountId);
          if (earliest === undefined || d.delegationEnabledDate < earliest) seen.set(d.accountId, d.delegationEnabledDate);
        }
        const admins = [...seen.entries()].flatMap(([id, date]) => {
          const account = org.accounts.get(id);
          return account ? [{ ...this.accountJson(account), DelegationEnabledDate: date / 1000 }] : [];
        });
        const page = this.page(admins, input, `delegated/${principal ?? ''}`);
        return withToken({ DelegatedAdministrators: page.items }, page.nextToken);
      }
      case 'ListDelegatedServicesForAccount': {
        const account = this.account(str(input, 'AccountId'));
        const services = org.delegatedAdministrators.filter((d) => d.accountId === account.id);
        if (services.length === 0) {
          throw new SimError('AccountNotRegisteredException', 400, 'The provided account is not a registered delegated administrator for your organization.');
        }
        const page = this.page(services, input, `services/${account.id}`);
        return withToken(
          { DelegatedServices: page.items.map((d) => ({ ServicePrincipal: d.servicePrincipal, DelegationEnabledDate: d.delegationEnabledDate / 1000 })) },
          page.nextToken,
        );
      }
      default:
        throw new SimError('UnknownOperationException', 400, `The operation ${operation} is not supported by this simulator.`);
    }
  }

  private page<T>(items: readonly T[], input: Input, scope: string): { items: T[]; nextToken?: string } {
    const max = num(input, 'MaxResults');
    if (max !== undefined && (!Number.isInteger(max) || max < 1 || max > MAX_PAGE)) {
      throw invalidInput(`MaxResults must be between 1 and ${MAX_PAGE}.`);
    }
    const token = str(input, 'NextToken');
    const position = token === undefined ? { offset: 0, page: 0 } : decodePageToken(scope, token);
    if (!position) throw invalidInput('You specified an invalid value for nextToken. You must get the value from the response to a previous call to the API.');
    const page = pageOf(items, scope, position, max ?? MAX_PAGE, this.env.emptyPageEvery, this.env.seed);
    // Counted so that tests can tell the empty pages AWS-style pagination adds to the minimum.
    if (page.items.length === 0 && page.nextToken !== undefined) this.env.counters.fault('emptyPage');
    return page;
  }

  private parent(input: Input): string {
    const parentId = str(input, 'ParentId') ?? '';
    if (!this.env.org.isParent(parentId)) throw new SimError('ParentNotFoundException', 400, "We can't find a root or OU with the ParentId that you specified.");
    return parentId;
  }

  private account(accountId: string | undefined): SimAccount {
    const account = this.env.org.accounts.get(accountId ?? '');
    if (!account) throw new SimError('AccountNotFoundException', 400, "You specified an account that doesn't exist.");
    return account;
  }

  private policy(policyId: string | undefined): SimPolicy {
    const policy = this.env.org.policies.get(policyId ?? '');
    if (!policy) throw new SimError('PolicyNotFoundException', 400, "We can't find a policy with the PolicyId that you specified.");
    return policy;
  }

  private policyFilter(input: Input): string {
    const type = str(input, 'Filter');
    if (!type) throw invalidInput('You must specify a Filter (the policy type).');
    return type;
  }

  private tagsOf(resourceId: string): SimTag[] {
    const org = this.env.org;
    if (resourceId === org.root.id) return org.root.tags;
    const found = org.organizationalUnits.get(resourceId) ?? org.accounts.get(resourceId);
    if (found) return found.tags;
    if (org.policies.has(resourceId)) return [];
    throw new SimError('TargetNotFoundException', 400, "We can't find a root, OU, account, or policy with the TargetId that you specified.");
  }

  private targetOf(id: string): { TargetId: string; Arn: string; Name: string; Type: string } {
    const org = this.env.org;
    if (id === org.root.id) return { TargetId: id, Arn: org.root.arn, Name: org.root.name, Type: 'ROOT' };
    const ou = org.organizationalUnits.get(id);
    if (ou) return { TargetId: id, Arn: ou.arn, Name: ou.name, Type: 'ORGANIZATIONAL_UNIT' };
    const account = org.accounts.get(id);
    if (account) return { TargetId: id, Arn: account.arn, Name: account.name, Type: 'ACCOUNT' };
    throw new SimError('TargetNotFoundException', 400, "We can't find a root, OU, account, or policy with the TargetId that you specified.");
  }

  private accountJson(a: SimAccount): Record<string, unknown> {
    const json: Record<string, unknown> = {
      Id: a.id,
      Arn: a.arn,
      Email: a.email,
      Name: a.name,
      Status: a.state,
      JoinedMethod: a.joinedMethod,
      JoinedTimestamp: a.joinedTimestamp / 1000,
    };
    if (!this.env.org.omitAccountState) json.State = a.state;
    return json;
  }
}

function ouJson(ou: SimOrganizationalUnit): Record<string, unknown> {
  return { Id: ou.id, Arn: ou.arn, Name: ou.name };
}

function policySummary(p: SimPolicy): Record<string, unknown> {
  return { Id: p.id, Arn: p.arn, Name: p.name, Description: p.description, Type: p.type, AwsManaged: p.awsManaged };
}

function withToken<T extends Record<string, unknown>>(body: T, nextToken: string | undefined): T & { NextToken?: string } {
  return nextToken === undefined ? body : { ...body, NextToken: nextToken };
}

function invalidInput(message: string): SimError {
  return new SimError('InvalidInputException', 400, message, { fields: { Reason: 'INVALID_INPUT' } });
}
