/**
 * The few IAM calls the seeding needs (CreateRole, PutRolePolicy, AttachRolePolicy), sent as
 * SigV4-signed query requests. The AWS SDK's IAM client is not a dependency of the connector,
 * and the query protocol is small enough to speak directly.
 */
import { createHash, createHmac } from 'node:crypto';
import type { Hash } from 'node:crypto';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, Checksum, SourceData } from '@smithy/types';

class NodeSha256 implements Checksum {
  private hash: Hash | ReturnType<typeof createHmac>;
  private readonly secret: SourceData | undefined;

  constructor(secret?: SourceData) {
    this.secret = secret;
    this.hash = this.fresh();
  }

  update(data: Uint8Array | string): void {
    this.hash.update(typeof data === 'string' ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  }

  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }

  reset(): void {
    this.hash = this.fresh();
  }

  private fresh(): Hash | ReturnType<typeof createHmac> {
    if (this.secret === undefined) return createHash('sha256');
    const key = typeof this.secret === 'string' ? this.secret : Buffer.from(ArrayBuffer.isView(this.secret) ? new Uint8Array(this.secret.buffer, this.secret.byteOffset, this.secret.byteLength) : new Uint8Array(this.secret));
    return createHmac('sha256', key);
  }
}

export interface IamQueryClient {
  createRole(input: { roleName: string; path?: string; trustPolicy: unknown; description?: string; tags?: Record<string, string> }): Promise<string>;
  putRolePolicy(roleName: string, policyName: string, document: unknown): Promise<void>;
  attachRolePolicy(roleName: string, policyArn: string): Promise<void>;
  /** The role's ARN, or null when the account has no such role. */
  getRole(roleName: string): Promise<string | null>;
}

/** An IAM client for one account (the account the credentials act as). */
export function iamQueryClient(endpoint: string, credentials: AwsCredentialIdentity): IamQueryClient {
  const signer = new SignatureV4({ credentials, region: 'us-east-1', service: 'iam', sha256: NodeSha256 });
  const url = new URL(endpoint);

  async function call(action: string, params: Record<string, string>, absentCode?: string): Promise<string | null> {
    const body = new URLSearchParams({ Action: action, Version: '2010-05-08', ...params }).toString();
    const request = new HttpRequest({
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port === '' ? undefined : Number(url.port),
      path: '/',
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', host: url.host },
      body,
    });
    const signed = await signer.sign(request);
    const response = await fetch(new URL('/', url), { method: 'POST', headers: signed.headers, body });
    const text = await response.text();
    if (!response.ok && absentCode !== undefined && text.includes(`<Code>${absentCode}</Code>`)) return null;
    if (!response.ok) throw new Error(`IAM ${action} answered ${response.status}: ${text.slice(0, 500)}`);
    return text;
  }

  return {
    async createRole({ roleName, path, trustPolicy, description, tags }) {
      const params: Record<string, string> = { RoleName: roleName, AssumeRolePolicyDocument: JSON.stringify(trustPolicy), Path: path ?? '/' };
      if (description !== undefined) params.Description = description;
      Object.entries(tags ?? {}).forEach(([key, value], index) => {
        params[`Tags.member.${index + 1}.Key`] = key;
        params[`Tags.member.${index + 1}.Value`] = value;
      });
      const xml = (await call('CreateRole', params)) ?? '';
      const arn = /<Arn>([^<]+)<\/Arn>/.exec(xml)?.[1];
      if (arn === undefined) throw new Error(`IAM CreateRole answered without an Arn: ${xml.slice(0, 500)}`);
      return arn;
    },
    async putRolePolicy(roleName, policyName, document) {
      await call('PutRolePolicy', { RoleName: roleName, PolicyName: policyName, PolicyDocument: JSON.stringify(document) });
    },
    async getRole(roleName) {
      const xml = await call('GetRole', { RoleName: roleName }, 'NoSuchEntity');
      return xml === null ? null : (/<Arn>([^<]+)<\/Arn>/.exec(xml)?.[1] ?? null);
    },
    async attachRolePolicy(roleName, policyArn) {
      await call('AttachRolePolicy', { RoleName: roleName, PolicyArn: policyArn });
    },
  };
}
