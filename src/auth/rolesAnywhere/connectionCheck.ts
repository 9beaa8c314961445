/**
 * The Roles Anywhere steps of `test-connection`: the certificate as it will be presented (subject,
 * serial, validity) and the role a signed CreateSession gives. Each step passes or fails on its
 * own line with the message and fix it would stop a run with.
 *
 * @example
 *   const { checks, session } = await checkRolesAnywhere(params.roles_anywhere, { endpoint: endpointFor(params, 'rolesanywhere') });
 *   report.checks.push(...checks); // then run the chain from session.credentials
 */
import { InventoryError } from '../../errors/inventoryError.js';
import type { RolesAnywhereParameters } from '../../parameters/schema.js';
import type { ConnectionCheck } from '../../diagnostics/testConnection.js';
import type { CreateSessionOptions, RolesAnywhereSession } from './createSession.js';
import { createRolesAnywhereSession } from './createSession.js';
import { describeCertificate } from './describeCertificate.js';
import type { CertificateDescription } from './describeCertificate.js';

export interface RolesAnywhereCheck {
  checks: ConnectionCheck[];
  /** The session when CreateSession passed; null otherwise. */
  session: RolesAnywhereSession | null;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export async function checkRolesAnywhere(settings: RolesAnywhereParameters, options: CreateSessionOptions = {}): Promise<RolesAnywhereCheck> {
  const now = options.now ?? (() => new Date());
  const certificateStep = 'IAM Roles Anywhere certificate';
  const sessionStep = 'IAM Roles Anywhere CreateSession';
  let description: CertificateDescription;
  try {
    description = describeCertificate(settings, now());
  } catch (error) {
    return { checks: [failed(certificateStep, error), { step: sessionStep, status: 'SKIP', detail: 'the certificate is not usable' }], session: null };
  }
  const daysLeft = Math.floor((description.notAfter.getTime() - now().getTime()) / DAY_MS);
  const checks: ConnectionCheck[] = [
    {
      step: certificateStep,
      status: 'PASS',
      detail: `${description.subject} (issuer ${description.issuer}), serial ${description.serialNumber}, valid ${description.notBefore.toISOString()} to ${description.notAfter.toISOString()} (${daysLeft} days left), ${description.algorithm}${description.chainLength > 0 ? `, ${description.chainLength} intermediate certificate(s)` : ''}`,
    },
  ];
  try {
    const session = await createRolesAnywhereSession(settings, options);
    checks.push({ step: sessionStep, status: 'PASS', detail: `${session.assumedRoleArn}, credentials until ${session.credentials.expiration.toISOString()}` });
    return { checks, session };
  } catch (error) {
    checks.push(failed(sessionStep, error));
    return { checks, session: null };
  }
}

function failed(step: string, error: unknown): ConnectionCheck {
  if (error instanceof InventoryError) {
    return { step, status: 'FAIL', detail: error.message, ...(error.awsCode ? { errorCode: error.awsCode } : {}), ...(error.hint ? { hint: error.hint } : {}) };
  }
  return { step, status: 'FAIL', detail: error instanceof Error ? error.message : String(error) };
}
