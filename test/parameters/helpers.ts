import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A fresh directory with `params.json` holding `content` (an object is written as JSON). */
export function writeParams(content: unknown): { dir: string; file: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'aoi-params-'));
  const file = path.join(dir, 'params.json');
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return { dir, file };
}
