/**
 * SDK clients for the crawl: one per (credentials, service, region), sharing one keep-alive HTTP
 * handler, with the SDK's own retries off (the scheduler retries, so attempts do not multiply)
 * and no S3 region-redirect following (every bucket call is sent to the bucket's region).
 * A member account's clients are dropped when its crawl ends, so memory does not grow with the
 * number of accounts.
 */
import { AccountClient } from '@aws-sdk/client-account';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { STSClient } from '@aws-sdk/client-sts';
import type { HttpHandler } from '@smithy/protocol-http';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import type { Parameters } from '../parameters/schema.js';
import type { ServiceName } from './endpoints.js';
import { endpointFor } from './endpoints.js';

type AnyClient = AccountClient | OrganizationsClient | S3Client | SQSClient | STSClient;

export class ClientFactory {
  private readonly clients = new Map<AwsCredentialIdentityProvider, Map<string, AnyClient>>();

  constructor(
    private readonly params: Parameters,
    private readonly requestHandler: HttpHandler,
  ) {}

  organizations(credentials: AwsCredentialIdentityProvider): OrganizationsClient {
    // Organizations is a global service with its endpoint in the partition's home region.
    return this.get(credentials, 'organizations', this.params.region, () => new OrganizationsClient(this.config('organizations', this.params.region, credentials)));
  }

  sts(credentials: AwsCredentialIdentityProvider): STSClient {
    return this.get(credentials, 'sts', this.params.region, () => new STSClient(this.config('sts', this.params.region, credentials)));
  }

  account(credentials: AwsCredentialIdentityProvider): AccountClient {
    return this.get(credentials, 'account', this.params.region, () => new AccountClient(this.config('account', this.params.region, credentials)));
  }

  sqs(credentials: AwsCredentialIdentityProvider, region: string): SQSClient {
    return this.get(credentials, 'sqs', region, () => new SQSClient(this.config('sqs', region, credentials)));
  }

  s3(credentials: AwsCredentialIdentityProvider, region: string): S3Client {
    return this.get(
      credentials,
      's3',
      region,
      () =>
        new S3Client({
          ...this.config('s3', region, credentials),
          forcePathStyle: this.params.s3_force_path_style,
          followRegionRedirects: false,
        }),
    );
  }

  /** Forget the clients of one set of credentials (a member account whose crawl ended). */
  release(credentials: AwsCredentialIdentityProvider): void {
    this.clients.delete(credentials);
  }

  private config(service: ServiceName, region: string, credentials: AwsCredentialIdentityProvider) {
    const endpoint = endpointFor(this.params, service);
    return {
      region,
      credentials,
      requestHandler: this.requestHandler,
      maxAttempts: 1,
      // Resolve each operation's middleware stack once per client instead of on every send.
      cacheMiddleware: true,
      ...(endpoint !== undefined ? { endpoint } : {}),
    };
  }

  private get<C extends AnyClient>(credentials: AwsCredentialIdentityProvider, service: string, region: string, make: () => C): C {
    let byKey = this.clients.get(credentials);
    if (!byKey) {
      byKey = new Map();
      this.clients.set(credentials, byKey);
    }
    const key = `${service}/${region}`;
    let client = byKey.get(key);
    if (!client) {
      client = make();
      byKey.set(key, client);
    }
    return client as C;
  }
}
