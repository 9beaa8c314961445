/**
 * SDK clients for the crawl: one per service and region for the whole run, whatever the
 * account. Each call signs with the credentials it is sent with (see `perCallSigning`), so a
 * thousand member accounts share a handful of clients instead of building seven each (a client
 * costs about half a millisecond of CPU to build and more to resolve its first request of each
 * operation — in a 2,000-account crawl that was a third of the CPU).
 *
 * All clients share one keep-alive HTTP handler, have the SDK's own retries off (the scheduler
 * retries, so attempts do not multiply) and do not follow S3 region redirects (every bucket call
 * is sent to the bucket's region).
 *
 * Per-request CPU is what bounds a large crawl (the SDK spends about a millisecond on each
 * request), so each client is trimmed of per-request work that buys this tool nothing
 * (see `trim`): measured on 10,000 calls against the simulator, SQS fell from about 1.10 to
 * 0.90 ms of CPU per call and S3 from 1.50 to 1.35.
 */
import { AccountClient } from '@aws-sdk/client-account';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { STSClient } from '@aws-sdk/client-sts';
import { getSchemaSerdePlugin } from '@smithy/core/schema';
import { HttpRequest } from '@smithy/protocol-http';
import type { HttpHandler } from '@smithy/protocol-http';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider, UserAgent, UserAgentPair } from '@smithy/types';
import { PACKAGE_NAME, toolVersion } from '../version.js';
import type { Parameters } from '../parameters/schema.js';
import type { ServiceName } from './endpoints.js';
import { endpointFor } from './endpoints.js';

/** TypeScript's `Parameters`, which the parameter file's type shadows here. */
type Parameters_<F extends (...args: never[]) => unknown> = F extends (...args: infer A) => unknown ? A : never;

type AnyClient = AccountClient | OrganizationsClient | S3Client | SQSClient | STSClient;

/** What callers get: a client's `send`, signing with the credentials it was asked for. */
export type SigningClient<C extends AnyClient> = Pick<C, 'send'> & {
  /** The same `send`, holding the gate's slot only while the request is on the wire (see `CallGate`). */
  gated(gate: CallGate): Pick<C, 'send'>;
};

/**
 * A concurrency slot that a call takes only for its HTTP exchange: `enter` is awaited just
 * before the request is signed (after its credentials are resolved: a renewal that has to call
 * STS itself never waits inside a slot), `exit` is called once the response's body has been read,
 * before it is parsed. The SDK's CPU work on either side (serialization, endpoint resolution,
 * parsing) is then outside the slot, so a slot is busy for about the API's latency, not for the
 * latency plus however long a busy event loop takes to get to the request.
 *
 * The body is read into memory, as the SDK's deserializers read it anyway: a gated call must not
 * be an operation with a streaming output (none of the crawl's are).
 */
export interface CallGate {
  enter(): Promise<void>;
  exit(): void;
}

/** What a call was sent with. */
interface CallSetup {
  credentials: AwsCredentialIdentityProvider;
  gate: CallGate | null;
}

export class ClientFactory {
  private readonly clients = new Map<string, AnyClient>();
  /** What each command was sent with (a command object is sent by one caller at a time). */
  private readonly calls = new WeakMap<object, CallSetup>();

  constructor(
    private readonly params: Parameters,
    private readonly requestHandler: HttpHandler,
  ) {}

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
    const send = client.send.bind(client) as (command: object, ...rest: unknown[]) => unknown;
    const calls = this.calls;
    const sending = (gate: CallGate | null) =>
      ((command: object, ...rest: unknown[]) => {
        calls.set(command, { credentials, gate });
        return send(command, ...rest);
      }) as C['send'];
    return { send: sending(null), gated: (gate) => ({ send: sending(gate) }) };
  }

  private config(service: ServiceName, region: string) {
    const endpoint = endpointFor(this.params, service);
    return {
      region,
      credentials: NO_CLIENT_CREDENTIALS,
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
      trim(client);
      perCallSigning(client, this.calls);
      fastConfig(client);
      this.clients.set(key, client);
    }
    return client as C;
  }
}

/**
 * A shared client's own credentials: none that can sign. Each request is signed with the
 * credentials its call was sent with (`perCallSigning`); were that ever bypassed, AWS would
 * refuse an empty key rather than a call going out under another account's name.
 */
const NO_CLIENT_CREDENTIALS = Object.assign(async (): Promise<AwsCredentialIdentity> => ({ accessKeyId: '', secretAccessKey: '' }), { memoized: true as const });

/**
 * Signs each request with the credentials its call was sent with.
 *
 * The SDK's SigV4 signer takes credentials from the provider it was built with, not from the
 * identity its middleware resolved, so per-call credentials need two pieces:
 * - the first middleware of the stack receives the command itself (the handler context is no
 *   help: with `cacheMiddleware` it is shared by every call of an operation) and passes the
 *   provider the command was sent with down the stack in the call's arguments; a middleware just
 *   before `httpSigningMiddleware` resolves it and ties the credentials to the request about to
 *   be signed;
 * - the client's signer factory (already reused per signing scope by `trim`) hands out a signer
 *   that signs each request with the credentials tied to it: the SDK's signer with its credential
 *   provider overridden for that one request (an object inheriting from the SDK's signer).
 * An async context per call would do the same with less code, but it turns on promise hooks for
 * every promise of the process: about 5% of a large crawl's CPU.
 *
 * The call's `CallGate`, if it was sent with one, travels the same way: entered by the middleware
 * before signing, once the credentials are resolved, and left by the innermost middleware once the
 * response's body has been read.
 */
function perCallSigning(client: AnyClient, calls: WeakMap<object, CallSetup>): void {
  const requestCredentials = new WeakMap<object, AwsCredentialIdentity>();
  const stack = client.middlewareStack as unknown as {
    add(mw: unknown, options: { step: 'initialize' | 'deserialize'; priority: 'high' | 'low'; name: string }): void;
    addRelativeTo(mw: unknown, options: { relation: 'before'; toMiddleware: string; name: string }): void;
  };
  stack.add(
    (next: (args: object) => Promise<unknown>) => (command: object) => {
      const setup = calls.get(command);
      if (setup === undefined) return Promise.reject(new Error('a shared client was called outside ClientFactory: no credentials for this call'));
      return next({ ...command, [CALL]: setup });
    },
    { step: 'initialize', priority: 'high', name: 'perCallCredentialsMiddleware' },
  );
  stack.addRelativeTo(
    (next: (args: CallArgs) => Promise<unknown>) => async (args: CallArgs) => {
      const setup = args[CALL];
      if (setup === undefined) throw new Error('the credentials of this call were lost on the way to the signer (an SDK middleware rebuilt the call arguments)');
      const credentials = await setup.credentials();
      if (setup.gate !== null) await setup.gate.enter();
      requestCredentials.set(args.request, credentials);
      return next(args);
    },
    { relation: 'before', toMiddleware: 'httpSigningMiddleware', name: 'perRequestCredentialsMiddleware' },
  );
  // The innermost middleware: the gate's slot is given back once the body has been read.
  const collect = (client.config as unknown as { streamCollector: (body: unknown) => Promise<Uint8Array> }).streamCollector;
  stack.add(
    (next: (args: CallArgs) => Promise<{ response: unknown }>) => async (args: CallArgs) => {
      const gate = args[CALL]?.gate ?? null;
      if (gate === null) return next(args);
      let out: { response: unknown };
      try {
        out = await next(args);
        const response = out.response as { body?: unknown } | undefined;
        if (response?.body !== undefined && !(response.body instanceof Uint8Array)) response.body = await collect(response.body);
      } finally {
        gate.exit();
      }
      // Parsing waits until the other responses that have arrived have given back their slots.
      await new Promise<void>((resolve) => setImmediate(resolve));
      return out;
    },
    { step: 'deserialize', priority: 'low', name: 'callGateExitMiddleware' },
  );
  const config = client.config as unknown as { signer?: (authScheme?: SignerScheme) => Promise<RequestSigner> };
  const make = config.signer;
  if (typeof make !== 'function') throw new Error('this SDK version has no signer factory in its client configuration: per-call signing cannot work');
  // One dispatching signer per SDK signer (the SDK asks for a signer on every request).
  const dispatching = new WeakMap<RequestSigner, RequestSigner>();
  config.signer = async (authScheme?: SignerScheme) => {
    const sdkSigner = await make(authScheme);
    let signer = dispatching.get(sdkSigner);
    if (signer === undefined) {
      signer = {
        sign: (request: object, options: unknown) => {
          const credentials = requestCredentials.get(request);
          if (credentials === undefined) return Promise.reject(new Error('a request reached the signer without the credentials of its call'));
          return withCredentials(sdkSigner, credentials).sign(request, options);
        },
      };
      dispatching.set(sdkSigner, signer);
    }
    return signer;
  };
}

interface RequestSigner {
  sign(request: object, options: unknown): Promise<unknown>;
}

/**
 * The SDK's signer, signing with the given credentials: `SignatureV4` reads them from its
 * `credentialProvider`; S3's multi-region signer delegates SigV4 to the `SignatureV4` in its
 * `sigv4Signer`. Anything else is refused rather than signed with the wrong credentials.
 */
function withCredentials(signer: RequestSigner, credentials: AwsCredentialIdentity): RequestSigner {
  const fields = signer as unknown as { credentialProvider?: unknown; sigv4Signer?: RequestSigner };
  if (typeof fields.credentialProvider === 'function') {
    return Object.assign(Object.create(signer) as RequestSigner, { credentialProvider: () => Promise.resolve(credentials) });
  }
  if (fields.sigv4Signer !== undefined) {
    return Object.assign(Object.create(signer) as RequestSigner, { sigv4Signer: withCredentials(fields.sigv4Signer, credentials) });
  }
  throw new Error("the SDK's signer has neither a credential provider nor a SigV4 signer: per-call signing cannot work with this SDK version");
}

const CALL = Symbol('call setup');
interface CallArgs {
  request: object;
  [CALL]?: CallSetup;
}

/**
 * The SDK's resolved client configuration is a dictionary-mode object (it is built by deleting
 * and redefining properties), and three middlewares copy all of it on every request:
 * `{ ...config }` for endpoint resolution and `{ ...config, ...context }` for serialization and
 * deserialization. With a crawl's eight or so clients each copy site sees as many object shapes,
 * and V8 copies such an object property by property: 7–30 µs a copy, measured (in a
 * 30,000-request crawl the three copies were about 8% of the crawl's CPU).
 *
 * - The client gets a copy of its configuration as an ordinary fast object with data properties
 *   only: the `credentials` accessor becomes its current value (the SDK's setter, which rebuilds
 *   the provider, is never used after construction: each call signs with its own credentials,
 *   see `perCallSigning`). V8 copies such an object whole, in about 0.1 µs. The per-operation
 *   middlewares (endpoint resolution) are resolved from `client.config` at the first send and
 *   get the copy.
 * - The serialization and deserialization middlewares were added by the client's constructor
 *   with the original; they are replaced by the same SDK middlewares, built with a configuration
 *   that holds only the protocol, so that their copy is of the handler context alone. The
 *   protocol they call sees the full configuration through a context that inherits from the
 *   copy (`serdeContext`), which is what the SDK's own copy gave it, read for read.
 *
 * The copy is made after every change this factory makes to the configuration; the only later
 * change, the signer's clock-skew correction, is both written and read through the original.
 */
function fastConfig(client: AnyClient): void {
  const holder = client as unknown as { config: object };
  const original = holder.config;
  const descriptors = Object.getOwnPropertyDescriptors(original);
  for (const [name, descriptor] of Object.entries(descriptors)) {
    if (descriptor.get !== undefined) {
      descriptors[name] = { value: descriptor.get.call(original) as unknown, writable: true, enumerable: descriptor.enumerable ?? false, configurable: true };
    }
  }
  const fast = Object.defineProperties({}, descriptors) as { protocol?: SerdeProtocol };
  holder.config = fast;
  const protocol = fast.protocol;
  if (protocol === undefined || typeof protocol.serializeRequest !== 'function' || typeof protocol.deserializeResponse !== 'function') return;
  const stack = client.middlewareStack as unknown as { remove(name: string): boolean; use(plugin: unknown): void };
  // Both or neither: a stack without one of them is left as the SDK built it.
  if (!stack.remove('serializerMiddleware')) return;
  stack.remove('deserializerMiddleware');
  const serdeContext = (context: object): object => Object.assign(Object.create(fast) as object, context);
  const viaFullConfig: SerdeProtocol = Object.assign(Object.create(protocol) as SerdeProtocol, {
    serializeRequest: (operation: unknown, input: unknown, context: object) => protocol.serializeRequest(operation, input, serdeContext(context)),
    deserializeResponse: (operation: unknown, context: object, response: unknown) => protocol.deserializeResponse(operation, serdeContext(context), response),
    // The SDK plugin hands its own configuration to the protocol: the protocol gets the full one.
    setSerdeContext: () => protocol.setSerdeContext(fast),
  });
  stack.use(getSchemaSerdePlugin({ protocol: viaFullConfig } as unknown as Parameters_<typeof getSchemaSerdePlugin>[0]));
}

/** The part of an SDK protocol (`config.protocol`) the serialization middlewares call. */
interface SerdeProtocol {
  serializeRequest(operation: unknown, input: unknown, context: object): Promise<unknown>;
  deserializeResponse(operation: unknown, context: object, response: unknown): Promise<unknown>;
  setSerdeContext(context: object): void;
}

/** The names of the SDK middleware `trim` takes out or replaces; a test checks that the SDK still has them. */
export const TRIMMED_MIDDLEWARE = ['loggerMiddleware', 'getUserAgentMiddleware', 'retryMiddleware', 'httpSigningMiddleware', 'serializerMiddleware', 'deserializerMiddleware'] as const;

/**
 * Takes per-request work this tool does not need out of a client, without changing what is sent
 * or how it is signed:
 * - `loggerMiddleware`: it filters every input and output for a logger; this tool gives the SDK none.
 * - `getUserAgentMiddleware` rebuilds the User-Agent on every request (feature metrics included);
 *   it is replaced by the same SDK identification computed once per client, followed by
 *   `aws-org-inventory/<version>` so that CloudTrail shows which tool made the calls.
 * - the SigV4 signer: the SDK builds a new one (copying the whole client configuration) for every
 *   request; the SDK's own signer factory is kept and its signer reused per signing region and
 *   service.
 * - `retryMiddleware`: with the SDK's retries off (the scheduler retries) it still builds a
 *   retry token and an invocation id for every request; it is replaced by a pass-through of the
 *   same name (the signing middleware is placed relative to it).
 * A middleware name the SDK no longer has is skipped: the client still works, only slower.
 */
function trim(client: AnyClient): void {
  const stack = client.middlewareStack as unknown as {
    remove(name: string): boolean;
    add(mw: unknown, options: { step: string; name: string; priority?: string }): void;
  };
  stack.remove('loggerMiddleware');
  if (stack.remove('retryMiddleware')) {
    stack.add((next: (args: unknown) => Promise<unknown>) => next, { step: 'finalizeRequest', name: 'retryMiddleware', priority: 'high' });
  }
  if (stack.remove('getUserAgentMiddleware')) {
    const config = client.config as unknown as { defaultUserAgentProvider: () => Promise<UserAgent> };
    let value: Promise<string> | undefined;
    const userAgent = async (): Promise<string> => {
      const pairs = await config.defaultUserAgentProvider();
      return [...pairs.map(uaSection), `${PACKAGE_NAME}/${toolVersion}`].join(' ');
    };
    stack.add(
      (next: (args: { request: unknown }) => Promise<unknown>) => async (args: { request: unknown }) => {
        if (HttpRequest.isInstance(args.request)) {
          const ua = await (value ??= userAgent());
          args.request.headers['user-agent'] = ua;
          args.request.headers['x-amz-user-agent'] = ua;
        }
        return next(args);
      },
      { step: 'build', name: 'staticUserAgentMiddleware', priority: 'low' },
    );
  }
  const signing = client.config as unknown as { signer?: (authScheme?: SignerScheme) => Promise<unknown> };
  const make = signing.signer;
  if (typeof make === 'function') {
    const signers = new Map<string, Promise<unknown>>();
    signing.signer = (authScheme?: SignerScheme) => {
      const key = `${authScheme?.name}|${authScheme?.signingRegion}|${authScheme?.signingName}|${String(authScheme?.signingRegionSet)}`;
      let signer = signers.get(key);
      if (signer === undefined) {
        signer = make(authScheme);
        signers.set(key, signer);
        signer.catch(() => signers.delete(key));
      }
      return signer;
    };
  }
}

interface SignerScheme {
  name?: string;
  signingRegion?: string;
  signingName?: string;
  signingRegionSet?: string[];
}

/** One User-Agent section as the SDK writes it: `name/version`, or `prefix/name#version`. */
function uaSection([name, version]: UserAgentPair): string {
  const clean = (s: string) => s.replace(/[^!$%&'*+\-.^_`|~\w/]/g, '-');
  // The SDK writes service names lower-case (`api/sqs#3.x`).
  const n = name.startsWith('api/') ? clean(name).toLowerCase() : clean(name);
  if (version === undefined) return n;
  return `${n}${n.includes('/') ? '#' : '/'}${version.replace(/[^!$%&'*+\-.^_`|~\w#]/g, '-')}`;
}
