/**
 * The README's parameter table (and the tables of parameter blocks documented on their own page
 * under docs/), generated from the schema and kept between markers so that `npm run schema` can
 * rewrite them and a test can tell when one is stale.
 */
import { parameterDocs } from './jsonSchema.js';
import type { ParameterDoc } from './jsonSchema.js';

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

const HEADER = ['| name | type | default | meaning |', '| --- | --- | --- | --- |'];

function row(doc: ParameterDoc, extra = ''): string {
  const defaultText = doc.default === '—' || doc.default === 'required' ? doc.default : `\`${doc.default}\``;
  return `| \`${doc.name}\` | ${cell(doc.type)} | ${cell(defaultText)} | ${cell(doc.description)}${extra} |`;
}

/** The block a nested parameter belongs to: `roles_anywhere.role_arn` ⇒ `roles_anywhere`; null for a top-level one. */
function blockOf(name: string): string | null {
  const dot = name.indexOf('.');
  return dot === -1 ? null : name.slice(0, dot);
}

/** Top-level parameters that are objects with fields of their own (`roles_anywhere`, `publish`, …). */
export function parameterBlocks(): string[] {
  return [...new Set(parameterDocs().flatMap((doc) => blockOf(doc.name) ?? []))];
}

export interface ParameterTableOptions {
  /**
   * Blocks whose fields are documented on a page of their own, with the link to that page: the
   * table keeps the block's own row, which links there, and leaves its fields out.
   */
  movedBlocks?: ReadonlyMap<string, string>;
}

/** The parameter reference as a Markdown table. */
export function renderParameterTable(options: ParameterTableOptions = {}): string {
  const moved = options.movedBlocks ?? new Map<string, string>();
  const lines = [...HEADER];
  for (const doc of parameterDocs()) {
    const block = blockOf(doc.name);
    if (block !== null && moved.has(block)) continue;
    const link = moved.get(doc.name);
    lines.push(row(doc, link === undefined ? '' : `; its fields: [${link}](${link})`));
  }
  return `${lines.join('\n')}\n`;
}

/** The fields of one block, for the page that documents it. */
export function renderBlockTable(block: string): string {
  const lines = [...HEADER, ...parameterDocs().filter((doc) => blockOf(doc.name) === block).map((doc) => row(doc))];
  return `${lines.join('\n')}\n`;
}

/** The marker name of a block's table on its own page: `<!-- parameters:roles_anywhere:start -->`. */
export function blockSection(block: string): string {
  return `parameters:${block}`;
}

/**
 * The README and the pages beside it (`docs/*.md`) with every generated parameter table
 * rewritten: a block whose fields have a marked section on a page is documented there, and the
 * README's table links to it; every other block stays in the README's table.
 * `pages` maps a page's path relative to the README's directory to its text.
 */
export function withParameterReference(readme: string, pages: ReadonlyMap<string, string>): { readme: string; pages: Map<string, string> } {
  const moved = new Map<string, string>();
  const updated = new Map(pages);
  for (const block of parameterBlocks()) {
    for (const [page, text] of updated) {
      if (readMarkedSection(text, blockSection(block)) === null) continue;
      moved.set(block, page);
      updated.set(page, replaceMarkedSection(text, blockSection(block), renderBlockTable(block)));
      break;
    }
  }
  return { readme: replaceMarkedSection(readme, PARAMETERS_SECTION, renderParameterTable({ movedBlocks: moved })), pages: updated };
}

export const PARAMETERS_SECTION = 'parameters';

/** The text between `<!-- NAME:start -->` and `<!-- NAME:end -->`, or null when the markers are missing. */
export function readMarkedSection(document: string, name: string): string | null {
  const start = `<!-- ${name}:start -->\n`;
  const end = `<!-- ${name}:end -->`;
  const from = document.indexOf(start);
  const to = document.indexOf(end, from + start.length);
  if (from === -1 || to === -1) return null;
  return document.slice(from + start.length, to);
}

/** `document` with the text between the markers of `name` replaced by `content`. */
export function replaceMarkedSection(document: string, name: string, content: string): string {
  const start = `<!-- ${name}:start -->\n`;
  const end = `<!-- ${name}:end -->`;
  const from = document.indexOf(start);
  const to = document.indexOf(end, from + start.length);
  if (from === -1 || to === -1) {
    throw new Error(`The document has no "${start.trim()}" … "${end}" markers to write the ${name} section between.`);
  }
  return document.slice(0, from + start.length) + content + document.slice(to);
}
