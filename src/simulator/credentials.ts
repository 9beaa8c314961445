/**
 * The credentials the simulator knows: the fixed bootstrap keys of an IAM user in the identity
 * account, and every session it issued (AssumeRole, GetSessionToken, extra routes such as Roles
 * Anywhere). A request authenticates only with these, and only until they expire.
 */
import { randomBytes } from 'node:crypto';
import type { Caller } from './http.js';

/** Obviously fake long-term keys, fixed so that parameter files and docs can name them. */
export const BOOTSTRAP_ACCESS_KEY_ID = 'AKIASIMULATED0000001';
export const BOOTSTRAP_SECRET_ACCESS_KEY = 'SIMULATED/secret/key/not-a-real-aws-secret0';
export const BOOTSTRAP_USER_NAME = 'inventory-simulated-user';

export interface StoredCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  caller: Caller;
}

export interface IssuedCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  /** Epoch ms. */
  expiration: number;
}

export class CredentialStore {
  private readonly byKey = new Map<string, StoredCredentials>();
  private issued = 0;
  private readonly instance = randomBytes(3).toString('hex').toUpperCase();

  constructor(identityAccountId: string) {
    this.byKey.set(BOOTSTRAP_ACCESS_KEY_ID, {
      accessKeyId: BOOTSTRAP_ACCESS_KEY_ID,
      secretAccessKey: BOOTSTRAP_SECRET_ACCESS_KEY,
      caller: {
        accessKeyId: BOOTSTRAP_ACCESS_KEY_ID,
        accountId: identityAccountId,
        arn: `arn:aws:iam::${identityAccountId}:user/${BOOTSTRAP_USER_NAME}`,
        userId: 'AIDASIMULATEDUSER0001',
        kind: 'user',
        mfaAuthenticated: false,
      },
    });
  }

  get(accessKeyId: string): StoredCredentials | undefined {
    return this.byKey.get(accessKeyId);
  }

  /** Issues temporary credentials that act as `caller` (its accessKeyId and expiry are filled in here). */
  issue(caller: Omit<Caller, 'accessKeyId' | 'expiresAt'>, lifetimeSeconds: number, now = Date.now()): IssuedCredentials {
    this.issued++;
    if (this.issued % 4096 === 0) this.sweep(now);
    // ASIA + 16 characters, like AWS's temporary key ids; unique per server instance.
    const accessKeyId = `ASIA${this.instance}${this.issued.toString(36).toUpperCase().padStart(10, '0')}`;
    const secretAccessKey = randomBytes(30).toString('base64');
    const sessionToken = `SIMSESSION${randomBytes(48).toString('base64')}`;
    const expiration = now + lifetimeSeconds * 1000;
    this.byKey.set(accessKeyId, { accessKeyId, secretAccessKey, sessionToken, caller: { ...caller, accessKeyId, expiresAt: expiration } });
    return { accessKeyId, secretAccessKey, sessionToken, expiration };
  }

  get issuedCount(): number {
    return this.issued;
  }

  /** Forget credentials expired for over an hour (they still answer ExpiredToken until then). */
  private sweep(now: number): void {
    for (const [key, stored] of this.byKey) {
      if (stored.caller.expiresAt !== undefined && stored.caller.expiresAt < now - 3_600_000) this.byKey.delete(key);
    }
  }
}
