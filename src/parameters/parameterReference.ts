/**
 * The README's parameter table, generated from the schema and kept between markers so that
 * `npm run schema` can rewrite it and a test can tell when it is stale.
 */
import { parameterDocs } from './jsonSchema.js';

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** The parameter reference as a Markdown table. */
export function renderParameterTable(): string {
  const lines = ['| name | type | default | meaning |', '| --- | --- | --- | --- |'];
  for (const doc of parameterDocs()) {
    const defaultText = doc.default === '—' || doc.default === 'required' ? doc.default : `\`${doc.default}\``;
    lines.push(`| \`${doc.name}\` | ${cell(doc.type)} | ${cell(defaultText)} | ${cell(doc.description)} |`);
  }
  return `${lines.join('\n')}\n`;
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
