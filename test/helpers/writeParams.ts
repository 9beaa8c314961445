import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from './tempDir.js';

/** A fresh directory with `params.json` holding `content` (an object is written as JSON). */
export function writeParams(content: unknown): { dir: string; file: string } {
  const dir = tempDir('aoi-params-');
  const file = path.join(dir, 'params.json');
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return { dir, file };
}
