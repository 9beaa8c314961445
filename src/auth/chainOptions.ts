/** What every credential source of a run is built from: shared by the chain and its first hop. */
import type { HttpHandler } from '@smithy/protocol-http';
import type { Logger } from '../log/logger.js';
import type { Parameters } from '../parameters/schema.js';
import type { CredentialCache } from './credentialCache.js';

export interface ChainOptions {
  params: Parameters;
  logger: Logger;
  /** The HTTP handler every STS client uses (recording wraps it). */
  requestHandler?: HttpHandler;
  cache?: CredentialCache;
}
