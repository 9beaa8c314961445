/**
 * The admin endpoints under `/_simulator/`: counters, fault knobs and facts about the simulated
 * organization. They need no signature; the server listens on loopback only.
 */
import type { Counters } from './counters.js';
import type { SimRequest, SimResponse } from './http.js';
import { defaultFaults } from './options.js';
import type { FaultOptions } from './options.js';

export interface AdminParts {
  counters: Counters;
  faults: FaultOptions;
  info(): Record<string, unknown>;
}

/** `/_simulator/…`: counters, fault knobs and facts, without a signature (loopback only). */
export function adminRoute(request: SimRequest, parts: AdminParts): SimResponse | undefined {
  const json = (body: unknown, status = 200): SimResponse => ({ status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body, null, 2) });
  switch (`${request.method} ${request.path}`) {
    case 'GET /_simulator/counters':
      return json(parts.counters.snapshot());
    case 'POST /_simulator/counters/reset':
      parts.counters.reset();
      return json({ reset: true });
    case 'GET /_simulator/info':
      return json(parts.info());
    case 'GET /_simulator/faults':
      return json(parts.faults);
    case 'POST /_simulator/faults':
    case 'PUT /_simulator/faults': {
      let patch: unknown;
      try {
        patch = JSON.parse(request.body.toString('utf8'));
      } catch {
        return json({ message: 'the body must be a JSON object of fault knobs' }, 400);
      }
      if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return json({ message: 'the body must be a JSON object of fault knobs' }, 400);
      const known = Object.keys(defaultFaults());
      const unknown = Object.keys(patch).filter((k) => !known.includes(k));
      if (unknown.length > 0) return json({ message: `unknown fault knobs: ${unknown.join(', ')}; known: ${known.join(', ')}` }, 400);
      Object.assign(parts.faults, patch);
      return json(parts.faults);
    }
    default:
      return undefined;
  }
}
