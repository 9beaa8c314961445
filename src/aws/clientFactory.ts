/**
 * SDK clients for the crawl: one per service and region for the whole run, whatever the
 * account. Each call signs with the credentials it is sent with: the client's credential
 * provider reads them from the call's async context, so a thousand member accounts share a
 * handful of clients instead of building seven each (a client costs about half a millisecond of
 * CPU to build and more to resolve its first request of each operation — in a 2,000-account
 * crawl that was a third of the CPU).
 *
 * All clients share one keep-alive HTTP handler, have the SDK's own retries off (the scheduler
 * retries, so attempts do not multiply) and do not follow S3 region redirects (every bucket call
 * is sent to the bucket's region).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { AccountClient } from '@aws-sdk/client-account';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { STSClient } from '@aws-sdk/client-sts';
import type { HttpHandler } from '@smithy/protocol-http';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import type { Parameters } from '../parameters/schema.js';
import type { ServiceName } from './endpoints.js';
import { endpointFor } from './endpoints.js';

type AnyClient = AccountClient | OrganizationsClient | S3Client | SQSClient | STSClient;

/** What callers get: a client's `send`, signing with the credentials it was asked for. */
export type SigningClient<C extends AnyClient> = Pick<C, 'send'>;

export class ClientFactory {
  private readonly clients = new Map<string, AnyClient>();
  private readonly callCredentials = new AsyncLocalStorage<AwsCredentialIdentityProvider>();
  /** The one provider every shared client has: the credentials of the call being signed. */
  private readonly dispatch: AwsCredentialIdentityProvider & { memoized: true };

  constructor(
    private readonly params: Parameters,
    private readonly requestHandler: HttpHandler,
  ) {
    const store = this.callCredentials;
    // `memoized` keeps the SDK from caching one account's credentials for every call.
    this.dispatch = Object.assign(
      async (): Promise<AwsCredentialIdentity> => {
        const provider = store.getStore();
        if (provider === undefined) throw new Error('a shared client was called outside ClientFactory.send: no credentials for this call');
        return provider();
      },
      { memoized: true as const },
    );
  }

  organizations(credentials: AwsCredentialIdentityProvider): SigningClient<OrganizationsClient> {
    // Organizations is a global service with its endpoint in the partition's home region.
    return this.signing(credentials, this.get('organizations', this.params.region, () => new OrganizationsClient(this.config('organizations', this.params.region))));
  }

  sts(credentials: AwsCredentialIdentityProvider): SigningClient<STSClient> {
    return this.signing(credentials, this.get('sts', this.params.region, () => new STSClient(this.config('sts', this.params.region))));
  }

  account(credentials: AwsCredentialIdentityProvider): SigningClient<AccountClient> {
    return this.signing(credentials, this.get('account', this.params.region, () => new AccountClient(this.config('account', this.params.region))));
  }

  sqs(credentials: AwsCredentialIdentityProvider, region: string): SigningClient<SQSClient> {
    return this.signing(credentials, this.get('sqs', region, () => new SQSClient(this.config('sqs', region))));
  }

  s3(credentials: AwsCredentialIdentityProvider, region: string): SigningClient<S3Client> {
    return this.signing(
      credentials,
      this.get('s3', region, () => new S3Client({ ...this.config('s3', region), forcePathStyle: this.params.s3_force_path_style, followRegionRedirects: false })),
    );
  }

  private signing<C extends AnyClient>(credentials: AwsCredentialIdentityProvider, client: C): SigningClient<C> {
    const send = client.send.bind(client) as (...args: unknown[]) => unknown;
    return { send: ((...args: unknown[]) => this.callCredentials.run(credentials, () => send(...args))) as C['send'] };
  }

  private config(service: ServiceName, region: string) {
    const endpoint = endpointFor(this.params, service);
    return {
      region,
      credentials: this.dispatch,
      requestHandler: this.requestHandler,
      maxAttempts: 1,
      // Resolve each operation's middleware stack once per client instead of on every send.
      cacheMiddleware: true,
      ...(endpoint !== undefined ? { endpoint } : {}),
    };
  }

  private get<C extends AnyClient>(service: string, region: string, make: () => C): C {
    const key = `${service}/${region}`;
    let client = this.clients.get(key);
    if (!client) {
      client = make();
      this.clients.set(key, client);
    }
    return client as C;
  }
}
