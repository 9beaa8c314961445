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
  /**
   * With `trackRepeats`: service → operation → successful requests identical to an earlier
   * successful one (same calling account, region, operation and parameters) — redundant work.
   */
  repeated: Record<string, Record<string, number>>;
}

export class Counters {
  private data: SimulatorCounters = Counters.empty();
  private readonly seen = new Set<string>();

  static empty(): SimulatorCounters {
    return { requests: 0, byService: {}, byOperation: {}, byAccount: {}, assumeRole: 0, assumeRoleByAccount: {}, credentialsIssued: 0, faults: {}, errors: {}, repeated: {} };
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

  /** Records a successful request by its fingerprint; counts it as repeated when seen before. */
  success(service: string, operation: string, fingerprint: string): void {
    if (!this.seen.has(fingerprint)) {
      this.seen.add(fingerprint);
      return;
    }
    bump((this.data.repeated[service] ??= {}), operation);
  }

  /** A deep copy: later requests do not change it. */
  snapshot(): SimulatorCounters {
    return structuredClone(this.data);
  }

  reset(): void {
    this.data = Counters.empty();
    this.seen.clear();
  }
}

function bump(record: Record<string, number>, key: string): void {
  record[key] = (record[key] ?? 0) + 1;
}
