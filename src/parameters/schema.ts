/**
 * The parameter file's one schema. It validates, it generates `parameters/schema.json`
 * (`aws-org-inventory schema --write`), and it feeds the README's parameter table. Technical
 * names are snake_case and are the public contract.
 */
import { z } from 'zod';

export const ROLE_ARN_PATTERN = /^arn:(aws|aws-cn|aws-us-gov):iam::(\d{12}):role\/((?:[\w+=,.@-]+\/)*)([\w+=,.@-]{1,64})$/;
export const REGION_PATTERN = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/;
export const ACCOUNT_ID_PATTERN = /^\d{12}$/;
export const OU_ID_PATTERN = /^(ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}|r-[0-9a-z]{4,32})$/;
export const EXTERNAL_ID_PATTERN = /^[\w+=,.@:/-]{2,1224}$/;
export const SESSION_NAME_PATTERN = /^[\w+=,.@-]{2,64}$/;

export const RESOURCE_TYPES = ['organizations', 'sqs', 's3'] as const;
export type ResourceType = (typeof RESOURCE_TYPES)[number];
export const OUTPUT_FORMATS = ['sqlite', 'csv', 'html'] as const;
/** What a run writes when `formats` is not given. */
export const DEFAULT_FORMATS = ['sqlite', 'csv'] as const;
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'silent'] as const;

/** Fields whose values are secrets: masked by `validate`, scrubbed from logs and errors. */
export const SECRET_FIELDS = ['secret_access_key', 'session_token', 'mfa_token_code'] as const;

const nullableString = (description: string) => z.string().min(1).nullable().default(null).describe(description);

const region = z
  .string()
  .regex(REGION_PATTERN, 'must be an AWS region name such as us-east-1, eu-west-3 or us-gov-west-1');

const accountId = z.string().regex(ACCOUNT_ID_PATTERN, 'must be a 12-digit AWS account id');

const endpointUrl = z
  .string()
  .url('must be an absolute URL such as https://sts.us-east-1.amazonaws.com or http://127.0.0.1:4566')
  .refine((value) => /^https?:\/\//.test(value), 'must start with http:// or https://');

export const rolesAnywhereSchema = z
  .object({
    profile_arn: z
      .string()
      .regex(/^arn:(aws|aws-cn|aws-us-gov):rolesanywhere:[a-z0-9-]+:\d{12}:profile\/[0-9a-f-]+$/, 'must be a Roles Anywhere profile ARN')
      .describe('ARN of the IAM Roles Anywhere profile'),
    role_arn: z.string().regex(ROLE_ARN_PATTERN, 'must be an IAM role ARN').describe('ARN of the role the profile lets the certificate assume'),
    trust_anchor_arn: z
      .string()
      .regex(/^arn:(aws|aws-cn|aws-us-gov):rolesanywhere:[a-z0-9-]+:\d{12}:trust-anchor\/[0-9a-f-]+$/, 'must be a Roles Anywhere trust anchor ARN')
      .describe('ARN of the trust anchor that holds the issuing CA'),
    region: region.describe('region of the Roles Anywhere endpoint'),
    certificate_path: z.string().min(1).describe('PEM file of the X.509 end-entity certificate'),
    private_key_path: z.string().min(1).describe('PEM file of its private key (RSA or EC; PKCS#1, PKCS#8 or SEC1); mode 0600'),
    certificate_chain_path: z.string().min(1).nullable().default(null).describe('PEM file of intermediate CA certificates, if any'),
    session_name: z.string().regex(SESSION_NAME_PATTERN).nullable().default(null).describe('role session name (defaults to the certificate serial)'),
    duration_seconds: z.number().int().min(900).max(3600).default(3600).describe('lifetime of the session, 900–3600'),
  })
  .strict();

export const endpointsSchema = z
  .object({
    sts: endpointUrl.optional().describe('STS endpoint (AssumeRole, GetCallerIdentity), e.g. a VPC endpoint'),
    organizations: endpointUrl.optional().describe('AWS Organizations endpoint'),
    sqs: endpointUrl.optional().describe('SQS endpoint'),
    s3: endpointUrl.optional().describe('S3 endpoint'),
    rolesanywhere: endpointUrl.optional().describe('IAM Roles Anywhere endpoint (CreateSession)'),
    account: endpointUrl.optional().describe('AWS Account Management endpoint (enabled regions)'),
  })
  .strict();

export const PUBLISH_EVENTS = ['run', 'changes'] as const;
export const SQS_QUEUE_NAME_PATTERN = /^([A-Za-z0-9_-]{1,80}|[A-Za-z0-9_-]{1,75}\.fifo)$/;
export const SQS_QUEUE_URL_PATTERN = /^https?:\/\/[^/\s]+\/\d{12}\/([A-Za-z0-9_-]{1,80}|[A-Za-z0-9_-]{1,75}\.fifo)$/;

export const publishSchema = z
  .object({
    sqs_queue_url: z
      .string()
      .regex(SQS_QUEUE_URL_PATTERN, 'must be a queue URL such as https://sqs.us-east-1.amazonaws.com/123456789012/inventory-events')
      .nullable()
      .default(null)
      .describe('URL of the queue events are sent to; or give sqs_queue_name'),
    sqs_queue_name: z
      .string()
      .regex(SQS_QUEUE_NAME_PATTERN, 'must be 1–80 letters, digits, hyphens or underscores (a FIFO queue name ends in .fifo)')
      .nullable()
      .default(null)
      .describe('name of the queue, looked up with GetQueueUrl in region and account_id; or give sqs_queue_url'),
    region: region.nullable().default(null).describe("the queue's region; null ⇒ taken from sqs_queue_url, else the top-level region"),
    account_id: accountId.nullable().default(null).describe("account that owns sqs_queue_name; null ⇒ the publishing credentials' account"),
    role_arn: z
      .string()
      .regex(ROLE_ARN_PATTERN, 'must be an IAM role ARN such as arn:aws:iam::123456789012:role/InventoryPublisher')
      .nullable()
      .default(null)
      .describe("role assumed from the chain's last credentials to publish; null ⇒ publish with the chain's last credentials"),
    external_id: z
      .string()
      .regex(EXTERNAL_ID_PATTERN, 'must be 2–1224 characters of letters, digits and +=,.@:/-')
      .nullable()
      .default(null)
      .describe('ExternalId of the AssumeRole of role_arn'),
    role_session_name: z
      .string()
      .regex(SESSION_NAME_PATTERN, 'must be 2–64 characters of letters, digits and +=,.@-')
      .nullable()
      .default(null)
      .describe('RoleSessionName of the AssumeRole of role_arn; null ⇒ the top-level role_session_name'),
    events: z
      .array(z.enum(PUBLISH_EVENTS))
      .min(1, 'must name at least one of run, changes')
      .default([...PUBLISH_EVENTS])
      .describe('events to publish: run (inventory.run.completed), changes (inventory.resource.changed)'),
    endpoint: endpointUrl.nullable().default(null).describe('SQS endpoint for publishing; null ⇒ endpoints.sqs, else endpoint_url, else AWS'),
  })
  .strict();

export const parametersSchema = z
  .object({
    access_key_id: nullableString("first credentials' access key id; null ⇒ the SDK's default provider chain (environment, profile, container or instance role)"),
    secret_access_key: nullableString('secret of access_key_id; required with it'),
    session_token: nullableString('session token when the first credentials are already temporary'),
    master_assume_role_arn_chain: z
      .union([z.string(), z.array(z.string())])
      .default([])
      .describe('roles assumed one after another from the first credentials; an array, or one string separated by commas, semicolons or newlines'),
    assume_external_id: z
      .string()
      .regex(EXTERNAL_ID_PATTERN, 'must be 2–1224 characters of letters, digits and +=,.@:/-')
      .nullable()
      .default(null)
      .describe('ExternalId sent with every AssumeRole of the chain (and of member roles unless overridden)'),
    role_session_name: z
      .string()
      .regex(SESSION_NAME_PATTERN, 'must be 2–64 characters of letters, digits and +=,.@-')
      .default('aws-org-inventory')
      .describe('RoleSessionName of every AssumeRole (visible in CloudTrail)'),
    session_duration_seconds: z
      .number()
      .int()
      .min(900, 'must be at least 900 (15 minutes)')
      .max(43200, 'must be at most 43200 (12 hours)')
      .default(3600)
      .describe('DurationSeconds of the first hop; capped at 3600 (the role-chaining limit) for later hops and member roles, and from the first hop when the first credentials are already temporary (session_token, IAM Roles Anywhere, a web identity or container role of the default chain)'),
    mfa_serial_number: z
      .string()
      .regex(/^(arn:(aws|aws-cn|aws-us-gov):iam::\d{12}:mfa\/[\w+=,.@/-]+|[A-Z0-9]{9,64})$/, 'must be an MFA device ARN or a hardware token serial number')
      .nullable()
      .default(null)
      .describe('MFA device of the first credentials; used on the first hop (or GetSessionToken when the chain is empty)'),
    mfa_token_code: z
      .string()
      .regex(/^\d{6}$/, 'must be the six digits the MFA device shows')
      .nullable()
      .default(null)
      .describe('current code of the MFA device'),
    member_account_role_name: z
      .string()
      .regex(/^([\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/, 'must be a role name, optionally with a path (path/name)')
      .nullable()
      .default('OrganizationAccountAccessRole')
      .describe("role assumed in each member account to crawl SQS and S3; null ⇒ crawl only the account the chain ends in"),
    member_account_external_id: z
      .string()
      .regex(EXTERNAL_ID_PATTERN, 'must be 2–1224 characters of letters, digits and +=,.@:/-')
      .nullable()
      .optional()
      .describe('ExternalId of the member-account roles; absent ⇒ assume_external_id'),
    authentication_type: z.enum(['access_keys', 'roles_anywhere']).default('access_keys').describe('how the first credentials are obtained'),
    roles_anywhere: rolesAnywhereSchema.nullable().default(null).describe('IAM Roles Anywhere settings, with authentication_type "roles_anywhere"'),
    credential_refresh_window_seconds: z
      .number()
      .int()
      .min(60, 'must be at least 60: credentials with less than a minute left are treated as expired')
      .default(300)
      .describe("renew a hop's credentials when less than this remains"),
    credential_cache: z
      .union([z.string().min(1), z.literal(false)])
      .default(false)
      .describe("file that keeps assumed-role credentials across runs (mode 0600, refused if others can read it or another user owns it; never the long-term secret), keyed by who the first credentials are (a temporary identity by its role, one GetCallerIdentity per run); false ⇒ no cache"),
    region: region.default('us-east-1').describe('home region: STS, Organizations and test-connection; the partition follows from it'),
    regions: z
      .union([z.literal('all'), z.array(region).min(1, 'must name at least one region, or be "all"')])
      .nullable()
      .default(null)
      .describe('regions crawled for regional resources; "all" ⇒ the regions enabled in each account; null ⇒ [region]'),
    endpoint_url: endpointUrl.nullable().default(null).describe('one endpoint for every service (LocalStack, moto, a replay server)'),
    endpoints: endpointsSchema.default({}).describe('per-service endpoint overrides: sts, organizations, sqs, s3, rolesanywhere, account'),
    s3_force_path_style: z.boolean().nullable().default(null).describe('path-style S3 addressing; null ⇒ true when endpoint_url is set'),
    resources: z
      .array(z.enum(RESOURCE_TYPES))
      .min(1, 'must name at least one of organizations, sqs, s3')
      .default([...RESOURCE_TYPES])
      .describe('extractors to run: organizations, sqs, s3'),
    include_accounts: z.array(accountId).nullable().default(null).describe('crawl only these member accounts'),
    exclude_accounts: z.array(accountId).nullable().default(null).describe('never crawl these member accounts'),
    include_organizational_units: z
      .array(z.string().regex(OU_ID_PATTERN, 'must be an OU id (ou-xxxx-yyyyyyyy) or a root id (r-xxxx)'))
      .nullable()
      .default(null)
      .describe('crawl only accounts under these OU subtrees'),
    output_dir: z.string().min(1).default('./output').describe('where inventory.sqlite, csv/, report.html and the lock file go'),
    formats: z.array(z.enum(OUTPUT_FORMATS)).min(1).default([...DEFAULT_FORMATS]).describe('outputs: sqlite, csv, html (report.html, one self-contained page written at the end of the run)'),
    concurrency: z.number().int().min(1, 'must be at least 1').max(512).default(16).describe('requests in flight across the whole crawl'),
    workers: z
      .union([z.literal('auto'), z.number().int().min(0, 'must be 0 (crawl on the main thread) or more').max(64)])
      .default('auto')
      .describe('threads that crawl member accounts beside the main thread: auto (CPU cores − 1, at most 8, started once a dozen member targets have come or the main thread is saturated) or a number; 0 crawls on the main thread'),
    max_attempts: z.number().int().min(1).max(20).default(8).describe('attempts per request, with throttling-aware backoff'),
    log_level: z.enum(LOG_LEVELS).default('info').describe('trace, debug, info, warn, error or silent'),
    publish: publishSchema.nullable().default(null).describe('after each run, send run and change events to an SQS queue (see Publishing events)'),
  })
  .strict();

export type ParameterInput = z.input<typeof parametersSchema>;
type Parsed = z.output<typeof parametersSchema>;

/** Parameters after validation and normalisation: what the rest of the program reads. */
export interface Parameters extends Omit<Parsed, 'master_assume_role_arn_chain' | 'member_account_external_id' | 'regions' | 's3_force_path_style'> {
  master_assume_role_arn_chain: string[];
  member_account_external_id: string | null;
  /** `"all"` or a sorted, de-duplicated list. */
  regions: 'all' | string[];
  s3_force_path_style: boolean;
}
export type RolesAnywhereParameters = z.output<typeof rolesAnywhereSchema>;
export type PublishParameters = z.output<typeof publishSchema>;
