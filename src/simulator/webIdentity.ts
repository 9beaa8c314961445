/**
 * The simulator's OpenID Connect provider, for AssumeRoleWithWebIdentity (the credentials
 * Kubernetes gives a pod through a projected service-account token, `AWS_WEB_IDENTITY_TOKEN_FILE`).
 * Tokens are JWTs signed with a key of this simulator instance (HS256): a token from another
 * instance, a forged or an expired one is refused as STS refuses them.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export interface WebIdentityTokenOptions {
  /** `sub`: who the token is for, e.g. `system:serviceaccount:inventory:crawler`. */
  subject?: string;
  /** `aud`; STS's default audience. */
  audience?: string;
  lifetimeSeconds?: number;
}

export interface WebIdentityClaims {
  iss: string;
  sub: string;
  aud: string;
  exp: number;
  iat: number;
}

export const DEFAULT_WEB_IDENTITY_AUDIENCE = 'sts.amazonaws.com';

const base64url = (data: Buffer | string): string => Buffer.from(data).toString('base64url');

export class WebIdentityIssuer {
  private readonly key = randomBytes(32);
  readonly issuer = `https://oidc.simulated.example/id/${randomBytes(8).toString('hex').toUpperCase()}`;

  issue(options: WebIdentityTokenOptions = {}, now = Date.now()): string {
    const iat = Math.floor(now / 1000);
    const claims: WebIdentityClaims = {
      iss: this.issuer,
      sub: options.subject ?? 'system:serviceaccount:inventory:aws-org-inventory',
      aud: options.audience ?? DEFAULT_WEB_IDENTITY_AUDIENCE,
      iat,
      exp: iat + (options.lifetimeSeconds ?? 3600),
    };
    const unsigned = `${base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${base64url(JSON.stringify(claims))}`;
    return `${unsigned}.${this.sign(unsigned)}`;
  }

  /** The token's claims, or why STS would refuse it. */
  verify(token: string, now = Date.now()): { claims: WebIdentityClaims } | { refused: 'InvalidIdentityToken' | 'ExpiredTokenException'; message: string } {
    const parts = token.trim().split('.');
    const [header, payload, signature] = parts;
    if (parts.length !== 3 || header === undefined || payload === undefined || signature === undefined) {
      return { refused: 'InvalidIdentityToken', message: 'Couldn\'t parse the web identity token.' };
    }
    const expected = Buffer.from(this.sign(`${header}.${payload}`));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
      return { refused: 'InvalidIdentityToken', message: 'The web identity token signature could not be verified against the provider\'s keys.' };
    }
    let claims: WebIdentityClaims;
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as WebIdentityClaims;
    } catch {
      return { refused: 'InvalidIdentityToken', message: 'Couldn\'t parse the web identity token.' };
    }
    if (claims.iss !== this.issuer) return { refused: 'InvalidIdentityToken', message: `No OpenIDConnect provider found in your account for ${claims.iss}` };
    if (claims.exp * 1000 <= now) return { refused: 'ExpiredTokenException', message: 'Token expired: current date/time is after the token expiry.' };
    return { claims };
  }

  private sign(unsigned: string): string {
    return createHmac('sha256', this.key).update(unsigned).digest('base64url');
  }
}
