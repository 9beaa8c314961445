/** Request counters, read by tests and benchmarks in-process or at `GET /_simulator/counters`. */

export interface SimulatorCounters {
  /** Every request that reached the simulator (admin requests excepted). */
  requests: number;
  byService: Record<string, number>;
  /** service → operation → requests. */
  byOperation: Record<string, Record<string, number>>;
  /** Calling account → requests (authenticated requests only). */
  byAccount: Record<string, number>;
  /** Successful AssumeRole calls. */
  assumeRole: number;
  /** Role account → successful AssumeRole calls into it. */
  assumeRoleByAccount: Record<string, number>;
  /** Credentials issued by any means (AssumeRole, GetSessionToken, extra routes). */
  credentialsIssued: number;
  /** Injected faults by kind: throttled, serverError, connectionReset, expiredToken, accessDenied, regionNotEnabled. */
  faults: Record<string, number>;
  /** Error answers by AWS error code (injected or not). */
  errors: Record<string, number>;
}

export class Counters {
  private data: SimulatorCounters = Counters.empty();

  static empty(): SimulatorCounters {
    return { requests: 0, byService: {}, byOperation: {}, byAccount: {}, assumeRole: 0, assumeRoleByAccount: {}, credentialsIssued: 0, faults: {}, errors: {} };
  }

  request(service: string, operation: string): void {
    this.data.requests++;
    bump(this.data.byService, service);
    const ops = (this.data.byOperation[service] ??= {});
    bump(ops, operation);
  }

  account(accountId: string): void {
    bump(this.data.byAccount, accountId);
  }

  assumeRole(roleAccountId: string): void {
    this.data.assumeRole++;
    bump(this.data.assumeRoleByAccount, roleAccountId);
  }

  credentialsIssued(): void {
    this.data.credentialsIssued++;
  }

  fault(kind: string): void {
    bump(this.data.faults, kind);
  }

  error(code: string): void {
    bump(this.data.errors, code);
  }

  /** A deep copy: later requests do not change it. */
  snapshot(): SimulatorCounters {
    return structuredClone(this.data);
  }

  reset(): void {
    this.data = Counters.empty();
  }
}

function bump(record: Record<string, number>, key: string): void {
  record[key] = (record[key] ?? 0) + 1;
}
