/** AWS Account over REST-JSON: ListRegions and GetRegionOptStatus, so a crawl can find enabled regions. */
import { requestId } from '../requestId.js';
import type { AuthContext, SimRequest, SimResponse } from '../http.js';
import type { ServiceEnvironment, SimService } from '../service.js';
import { jsonResponse, num, parseJsonBody, str } from '../service.js';
import { accountFailure } from '../failures.js';
import { decodePageToken, pageOf } from '../pagination.js';
import { SimError } from '../simError.js';

/** Regions that are disabled until an account opts in; every other region is enabled by default. */
const OPT_IN_REGIONS = new Set([
  'af-south-1',
  'ap-east-1',
  'ap-south-2',
  'ap-southeast-3',
  'ap-southeast-4',
  'ap-southeast-5',
  'ap-southeast-7',
  'ca-west-1',
  'eu-central-2',
  'eu-south-1',
  'eu-south-2',
  'il-central-1',
  'me-central-1',
  'me-south-1',
  'mx-central-1',
]);

type OptStatus = 'ENABLED' | 'ENABLED_BY_DEFAULT' | 'DISABLED';

export class AccountService implements SimService {
  readonly name = 'account';
  readonly regional = false;

  constructor(
    private readonly env: ServiceEnvironment,
    private readonly regions: readonly string[],
  ) {}

  operation(request: SimRequest): string {
    if (request.path === '/listRegions') return 'ListRegions';
    if (request.path === '/getRegionOptStatus') return 'GetRegionOptStatus';
    return 'Unknown';
  }

  failure = accountFailure;

  render(error: SimError, _request: SimRequest, requestId: string): SimResponse {
    return {
      status: error.status,
      headers: { 'content-type': 'application/json', 'x-amzn-requestid': requestId, 'x-amzn-errortype': error.code, ...error.headers },
      body: JSON.stringify({ message: error.message }),
    };
  }

  handle(operation: string, request: SimRequest, auth: AuthContext): SimResponse {
    const input = parseJsonBody(request);
    const accountId = this.accountFor(str(input, 'AccountId'), auth);
    switch (operation) {
      case 'ListRegions': {
        const filter = Array.isArray(input.RegionOptStatusContains) ? input.RegionOptStatusContains : undefined;
        const regions = this.statuses(accountId).filter((r) => !filter || filter.includes(r.RegionOptStatus));
        const max = num(input, 'MaxResults') ?? 50;
        if (!Number.isInteger(max) || max < 1 || max > 50) throw new SimError('ValidationException', 400, 'MaxResults must be between 1 and 50.');
        const scope = `regions/${accountId}/${JSON.stringify(filter ?? [])}`;
        const token = str(input, 'NextToken');
        const position = token === undefined ? { offset: 0, page: 0 } : decodePageToken(scope, token);
        if (!position) throw new SimError('ValidationException', 400, 'The NextToken is not valid.');
        const page = pageOf(regions, scope, position, max);
        return jsonResponse(page.nextToken ? { Regions: page.items, NextToken: page.nextToken } : { Regions: page.items }, 'application/json', requestId());
      }
      case 'GetRegionOptStatus': {
        const name = str(input, 'RegionName') ?? '';
        const found = this.statuses(accountId).find((r) => r.RegionName === name);
        if (!found) throw new SimError('ValidationException', 400, `${name} is not a valid region name.`);
        return jsonResponse(found, 'application/json', requestId());
      }
      default:
        throw new SimError('UnknownOperationException', 404, 'The requested operation is not supported by this simulator.');
    }
  }

  /** With AccountId, only the management account and delegated administrators may ask about another account. */
  private accountFor(requested: string | undefined, auth: AuthContext): string {
    if (requested === undefined || requested === auth.caller.accountId) return auth.caller.accountId;
    const org = this.env.org;
    if (auth.caller.accountId !== org.managementAccountId && !org.delegatedAdministrators.some((d) => d.accountId === auth.caller.accountId)) {
      throw new SimError('AccessDeniedException', 403, `User: ${auth.caller.arn} is not authorized to perform: account:ListRegions on resource: arn:aws:account::${org.managementAccountId}:account/${org.organizationId}/${requested}`);
    }
    if (!org.accounts.has(requested)) throw new SimError('ResourceNotFoundException', 404, 'The specified account does not exist in the organization.');
    return requested;
  }

  /**
   * The simulated regions, as the account sees them. Regions outside the simulation are not
   * listed, so that `regions: "all"` crawls exactly what the simulator serves.
   */
  private statuses(accountId: string): { RegionName: string; RegionOptStatus: OptStatus }[] {
    const disabled = new Set(this.env.faults.regionsNotEnabled[accountId] ?? []);
    const names = [...new Set([...this.regions, ...disabled])].sort();
    return names.map((name) => ({
      RegionName: name,
      RegionOptStatus: disabled.has(name) ? 'DISABLED' : OPT_IN_REGIONS.has(name) ? 'ENABLED' : 'ENABLED_BY_DEFAULT',
    }));
  }
}
