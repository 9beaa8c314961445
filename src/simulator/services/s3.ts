/**
 * S3 over REST/XML, path-style and virtual-host style (`<bucket>.<suffix>` in the Host header).
 * Per-bucket calls must be signed for the bucket's region (301 PermanentRedirect otherwise), and
 * each account sees only its own buckets.
 */
import { createHash } from 'node:crypto';
import { requestId as newRequestId } from '../requestId.js';
import type { AuthContext, SimRequest, SimResponse } from '../http.js';
import type { ServiceEnvironment, SimService } from '../service.js';
import { s3Failure } from '../failures.js';
import { decodePageToken, encodePageToken } from '../pagination.js';
import { SimError } from '../simError.js';
import type { SimBucket, SimLifecycleRule } from '../organization.js';
import { XML_DECLARATION, el, isoTime, wrap } from '../xml.js';

const NS = 'http://s3.amazonaws.com/doc/2006-03-01/';

/** Bucket sub-resources answered here, by their query key, in matching priority. */
const SUBRESOURCES: [string, string][] = [
  ['versioning', 'GetBucketVersioning'],
  ['encryption', 'GetBucketEncryption'],
  ['publicAccessBlock', 'GetPublicAccessBlock'],
  ['policyStatus', 'GetBucketPolicyStatus'],
  ['policy', 'GetBucketPolicy'],
  ['ownershipControls', 'GetBucketOwnershipControls'],
  ['logging', 'GetBucketLogging'],
  ['lifecycle', 'GetBucketLifecycleConfiguration'],
  ['tagging', 'GetBucketTagging'],
  ['acl', 'GetBucketAcl'],
  ['location', 'GetBucketLocation'],
];

interface Target {
  bucket?: string;
  key?: string;
}

export function canonicalUserId(accountId: string): string {
  return createHash('sha256').update(`simulated-canonical-${accountId}`).digest('hex');
}

export class S3Service implements SimService {
  readonly name = 's3';
  readonly regional = false;

  constructor(private readonly env: ServiceEnvironment) {}

  failure = s3Failure;

  private target(request: SimRequest): Target {
    const suffix = `.${this.env.virtualHostSuffix}`;
    if (request.hostname.endsWith(suffix) && request.hostname.length > suffix.length) {
      const key = request.path.replace(/^\//, '');
      return { bucket: request.hostname.slice(0, -suffix.length), ...(key ? { key } : {}) };
    }
    const [, bucket, ...rest] = request.path.split('/');
    const key = rest.join('/');
    return { ...(bucket ? { bucket } : {}), ...(key ? { key } : {}) };
  }

  operation(request: SimRequest): string {
    const { bucket, key } = this.target(request);
    const method = request.method;
    if (!bucket) return method === 'GET' ? 'ListBuckets' : 'Unknown';
    if (key) return method === 'GET' ? 'GetObject' : method === 'HEAD' ? 'HeadObject' : method === 'PUT' ? 'PutObject' : 'Unknown';
    if (method === 'HEAD') return 'HeadBucket';
    if (method !== 'GET') return `${method}Bucket`;
    for (const [query, operation] of SUBRESOURCES) if (query in request.query) return operation;
    return request.query['list-type'] === '2' ? 'ListObjectsV2' : 'ListObjects';
  }

  render(error: SimError, request: SimRequest, requestId: string): SimResponse {
    const headers: Record<string, string> = { 'content-type': 'application/xml', 'x-amz-request-id': requestId, 'x-amz-id-2': hostId(requestId), ...error.headers };
    if (request.method === 'HEAD') return { status: error.status, headers };
    let fields = '';
    for (const [name, value] of Object.entries(error.fields)) fields += el(name, value);
    const body = XML_DECLARATION + wrap('Error', el('Code', error.code) + el('Message', error.message) + fields + el('RequestId', requestId) + el('HostId', hostId(requestId)));
    return { status: error.status, headers, body };
  }

  handle(operation: string, request: SimRequest, auth: AuthContext): SimResponse {
    const requestId = newRequestId();
    const { bucket: bucketName } = this.target(request);
    if (operation === 'ListBuckets') return this.xml(requestId, this.listBuckets(request, auth));
    const bucket = this.bucketFor(bucketName ?? '', operation, auth);
    switch (operation) {
      case 'HeadBucket':
        return { status: 200, headers: { 'x-amz-request-id': requestId, 'x-amz-id-2': hostId(requestId), 'x-amz-bucket-region': bucket.region, 'x-amz-access-point-alias': 'false' } };
      case 'GetBucketLocation':
        // us-east-1 is the empty location constraint, for historical reasons.
        return this.xml(requestId, bucket.region === 'us-east-1' ? `<LocationConstraint xmlns="${NS}"/>` : `<LocationConstraint xmlns="${NS}">${bucket.region}</LocationConstraint>`);
      case 'GetBucketVersioning':
        return this.xml(requestId, bucket.versioning ? doc('VersioningConfiguration', el('Status', bucket.versioning.status) + (bucket.versioning.mfaDelete ? el('MfaDelete', bucket.versioning.mfaDelete) : '')) : `<VersioningConfiguration xmlns="${NS}"/>`);
      case 'GetBucketEncryption': {
        const enc = bucket.encryption;
        if (!enc) throw notFound('ServerSideEncryptionConfigurationNotFoundError', 'The server side encryption configuration was not found', bucket.name);
        return this.xml(
          requestId,
          doc(
            'ServerSideEncryptionConfiguration',
            wrap('Rule', wrap('ApplyServerSideEncryptionByDefault', el('SSEAlgorithm', enc.algorithm) + el('KMSMasterKeyID', enc.kmsKeyId)) + el('BucketKeyEnabled', enc.bucketKeyEnabled)),
          ),
        );
      }
      case 'GetPublicAccessBlock': {
        const pab = bucket.publicAccessBlock;
        if (!pab) throw notFound('NoSuchPublicAccessBlockConfiguration', 'The public access block configuration was not found', bucket.name);
        return this.xml(
          requestId,
          doc(
            'PublicAccessBlockConfiguration',
            el('BlockPublicAcls', pab.blockPublicAcls) + el('IgnorePublicAcls', pab.ignorePublicAcls) + el('BlockPublicPolicy', pab.blockPublicPolicy) + el('RestrictPublicBuckets', pab.restrictPublicBuckets),
          ),
        );
      }
      case 'GetBucketPolicy':
        if (bucket.policy === undefined) throw notFound('NoSuchBucketPolicy', 'The bucket policy does not exist', bucket.name);
        return { status: 200, headers: { 'content-type': 'application/json', 'x-amz-request-id': requestId, 'x-amz-id-2': hostId(requestId) }, body: bucket.policy };
      case 'GetBucketPolicyStatus':
        if (bucket.policy === undefined) throw notFound('NoSuchBucketPolicy', 'The bucket policy does not exist', bucket.name);
        return this.xml(requestId, doc('PolicyStatus', el('IsPublic', policyIsPublic(bucket))));
      case 'GetBucketOwnershipControls':
        if (!bucket.objectOwnership) throw notFound('OwnershipControlsNotFoundError', 'The bucket ownership controls were not found', bucket.name);
        return this.xml(requestId, doc('OwnershipControls', wrap('Rule', el('ObjectOwnership', bucket.objectOwnership))));
      case 'GetBucketLogging':
        return this.xml(
          requestId,
          bucket.logging
            ? doc('BucketLoggingStatus', wrap('LoggingEnabled', el('TargetBucket', bucket.logging.targetBucket) + el('TargetPrefix', bucket.logging.targetPrefix)))
            : `<BucketLoggingStatus xmlns="${NS}"/>`,
        );
      case 'GetBucketLifecycleConfiguration':
        if (!bucket.lifecycle || bucket.lifecycle.length === 0) throw notFound('NoSuchLifecycleConfiguration', 'The lifecycle configuration does not exist', bucket.name);
        return this.xml(requestId, doc('LifecycleConfiguration', bucket.lifecycle.map(lifecycleRuleXml).join('')), { 'x-amz-transition-default-minimum-object-size': 'all_storage_classes_128K' });
      case 'GetBucketTagging':
        if (!bucket.tags || bucket.tags.length === 0) throw notFound('NoSuchTagSet', 'The TagSet does not exist', bucket.name);
        return this.xml(requestId, doc('Tagging', wrap('TagSet', bucket.tags.map((t) => wrap('Tag', el('Key', t.Key) + el('Value', t.Value))).join(''))));
      case 'GetBucketAcl': {
        // No DisplayName: S3 stopped returning it in Owner and Grantee on 21 November 2025.
        const owner = el('ID', canonicalUserId(bucket.accountId));
        return this.xml(
          requestId,
          doc(
            'AccessControlPolicy',
            wrap('Owner', owner) +
              wrap(
                'AccessControlList',
                `<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser">${owner}</Grantee><Permission>FULL_CONTROL</Permission></Grant>`,
              ),
          ),
        );
      }
      case 'ListObjectsV2':
      case 'ListObjects':
        // Objects are not simulated: every bucket answers as empty.
        return this.xml(
          requestId,
          doc('ListBucketResult', el('Name', bucket.name) + el('Prefix', '') + (operation === 'ListObjectsV2' ? el('KeyCount', 0) : el('Marker', '')) + el('MaxKeys', 1000) + el('IsTruncated', false)),
        );
      case 'GetObject':
      case 'HeadObject':
        throw new SimError('NoSuchKey', 404, 'The specified key does not exist.', { fields: { Key: this.target(request).key ?? '' } });
      default:
        throw new SimError('NotImplemented', 501, `The simulator does not implement ${operation}.`);
    }
  }

  private listBuckets(request: SimRequest, auth: AuthContext): string {
    const account = auth.caller.accountId;
    const query = (name: string): string | undefined => {
      const value = request.query[name];
      return Array.isArray(value) ? value[0] : value;
    };
    const prefix = query('prefix') ?? '';
    const regionFilter = query('bucket-region');
    const rawMax = query('max-buckets');
    const max = rawMax === undefined ? undefined : Number(rawMax);
    if (max !== undefined && (!Number.isInteger(max) || max < 1 || max > 10000)) {
      throw new SimError('InvalidArgument', 400, 'Argument max-buckets must be an integer between 1 and 10000.', { fields: { ArgumentName: 'max-buckets', ArgumentValue: rawMax ?? '' } });
    }
    const scope = `buckets/${account}/${prefix}/${regionFilter ?? ''}`;
    const token = query('continuation-token');
    let offset = 0;
    if (token !== undefined) {
      const position = decodePageToken(scope, token);
      if (!position) throw new SimError('InvalidArgument', 400, 'The continuation token provided is incorrect', { fields: { ArgumentName: 'continuation-token' } });
      offset = position.offset;
    }
    const all = this.env.org.bucketsOf(account).filter((b) => b.name.startsWith(prefix) && (regionFilter === undefined || b.region === regionFilter));
    const size = max ?? 10000;
    const page = all.slice(offset, offset + size);
    const more = offset + size < all.length;
    const buckets = page
      .map((b) => wrap('Bucket', el('Name', b.name) + el('CreationDate', isoTime(b.creationDate)) + (this.env.omitBucketRegion ? '' : el('BucketRegion', b.region))))
      .join('');
    return doc(
      'ListAllMyBucketsResult',
      wrap('Buckets', buckets) +
        wrap('Owner', el('ID', canonicalUserId(account))) +
        (more ? el('ContinuationToken', encodePageToken(scope, { offset: offset + size, page: 0 })) : '') +
        (prefix ? el('Prefix', prefix) : ''),
    );
  }

  /** The bucket, checked like S3: exists, addressed in its region, owned by the caller. */
  private bucketFor(name: string, operation: string, auth: AuthContext): SimBucket {
    const bucket = this.env.org.buckets.get(name);
    if (!bucket) throw new SimError('NoSuchBucket', 404, 'The specified bucket does not exist', { fields: { BucketName: name } });
    if (bucket.region !== auth.region && operation !== 'GetBucketLocation') {
      throw new SimError(
        'PermanentRedirect',
        301,
        'The bucket you are attempting to access must be addressed using the specified endpoint. Please send all future requests to this endpoint.',
        { headers: { 'x-amz-bucket-region': bucket.region }, fields: { Endpoint: `${name}.s3.${bucket.region}.amazonaws.com`, Bucket: name } },
      );
    }
    if (bucket.accountId !== auth.caller.accountId) throw new SimError('AccessDenied', 403, 'Access Denied');
    return bucket;
  }

  private xml(requestId: string, body: string, extra: Record<string, string> = {}): SimResponse {
    return { status: 200, headers: { 'content-type': 'application/xml', 'x-amz-request-id': requestId, 'x-amz-id-2': hostId(requestId), ...extra }, body: XML_DECLARATION + body };
  }
}

function doc(root: string, children: string): string {
  return `<${root} xmlns="${NS}">${children}</${root}>`;
}

function notFound(code: string, message: string, bucket: string): SimError {
  return new SimError(code, 404, message, { fields: { BucketName: bucket } });
}

function hostId(requestId: string): string {
  return Buffer.from(requestId).toString('base64');
}

/** A policy is public when an Allow statement names everyone without a condition, as S3 judges it. */
export function policyIsPublic(bucket: SimBucket): boolean {
  if (bucket.policy === undefined) return false;
  if (bucket.publicAccessBlock?.restrictPublicBuckets) return false;
  try {
    const parsed = JSON.parse(bucket.policy) as { Statement?: unknown };
    const statements = Array.isArray(parsed.Statement) ? parsed.Statement : [parsed.Statement];
    return statements.some((s) => {
      if (typeof s !== 'object' || s === null) return false;
      const st = s as { Effect?: unknown; Principal?: unknown; Condition?: unknown };
      const everyone = st.Principal === '*' || (typeof st.Principal === 'object' && st.Principal !== null && (st.Principal as { AWS?: unknown }).AWS === '*');
      return st.Effect === 'Allow' && everyone && st.Condition === undefined;
    });
  } catch {
    return false;
  }
}

function lifecycleRuleXml(rule: SimLifecycleRule): string {
  let body = el('ID', rule.id) + wrap('Filter', el('Prefix', rule.prefix)) + el('Status', rule.status);
  if (rule.transitionDays !== undefined) body += wrap('Transition', el('Days', rule.transitionDays) + el('StorageClass', rule.transitionStorageClass ?? 'GLACIER'));
  if (rule.expirationDays !== undefined) body += wrap('Expiration', el('Days', rule.expirationDays));
  if (rule.noncurrentExpirationDays !== undefined) body += wrap('NoncurrentVersionExpiration', el('NoncurrentDays', rule.noncurrentExpirationDays));
  if (rule.abortIncompleteMultipartDays !== undefined) body += wrap('AbortIncompleteMultipartUpload', el('DaysAfterInitiation', rule.abortIncompleteMultipartDays));
  return wrap('Rule', body);
}
