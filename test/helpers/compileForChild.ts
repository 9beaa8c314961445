/**
 * Child processes run plain Node, which cannot load TypeScript: transpile an entry file and
 * every relative module it imports into a directory under node_modules/.cache (so bare imports
 * such as better-sqlite3 still resolve), and return the entry's path there.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { removeAfterTest } from './tempDir.js';

const ROOT = resolve(import.meta.dirname, '../..');

export function compileForChild(entry: string): string {
  const cache = join(ROOT, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  const out = mkdtempSync(join(cache, 'inventory-child-'));
  removeAfterTest(out);
  const seen = new Set<string>();
  const queue = [resolve(entry)];
  while (queue.length > 0) {
    const file = queue.pop();
    if (file === undefined || seen.has(file)) continue;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    for (const match of source.matchAll(/(?:from|import)\s+'(\.{1,2}\/[^']+)\.js'/g)) {
      const specifier = match[1];
      if (specifier !== undefined) queue.push(resolve(dirname(file), `${specifier}.ts`));
    }
    const { outputText } = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
      fileName: file,
    });
    const target = join(out, relative(ROOT, file)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, outputText);
  }
  return join(out, relative(ROOT, resolve(entry))).replace(/\.ts$/, '.js');
}
