/** The tool's own package.json, found from the running file so that it works from dist/ and from an install. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PACKAGE_NAME = 'aws-org-inventory';

function findPackageJson(): { version: string } {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, 'package.json');
    try {
      const parsed = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: unknown; version?: unknown };
      if (parsed.name === PACKAGE_NAME && typeof parsed.version === 'string') return { version: parsed.version };
    } catch {
      // Not here; look in the parent.
    }
    const parent = path.dirname(dir);
    if (parent === dir) return { version: '0.0.0-unknown' };
    dir = parent;
  }
}

export const toolVersion: string = findPackageJson().version;
