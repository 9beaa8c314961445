/**
 * The JSON Schema of the parameter file (`parameters/schema.json`), generated from the zod schema,
 * and the per-field facts (type, default, meaning) that the README's parameter table and the
 * validation hints are written from. One source: `schema.ts`.
 */
import { z } from 'zod';
import { ACCOUNT_ID_PATTERN, OU_ID_PATTERN, parametersSchema, REGION_PATTERN, ROLE_ARN_PATTERN } from './schema.js';

export interface JsonSchemaNode {
  type?: string | string[];
  anyOf?: JsonSchemaNode[];
  enum?: unknown[];
  const?: unknown;
  items?: JsonSchemaNode;
  properties?: Record<string, JsonSchemaNode>;
  required?: string[];
  default?: unknown;
  description?: string;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  format?: string;
  pattern?: string;
  [key: string]: unknown;
}

export const SCHEMA_FILE = 'parameters/schema.json';

/** The parameter file's JSON Schema (draft 2020-12), as editors and other tools read it. */
export function parametersJsonSchema(): JsonSchemaNode {
  const generated = z.toJSONSchema(parametersSchema, { io: 'input' }) as JsonSchemaNode;
  return {
    $schema: generated.$schema,
    title: 'aws-org-inventory parameter file',
    description: 'Parameters of aws-org-inventory. Any string value may be env:NAME to read the environment variable NAME.',
    ...generated,
    properties: {
      // Lets a parameter file point an editor at this schema; the loader ignores it.
      $schema: { type: 'string', description: 'location of this JSON Schema, for editors; ignored' },
      ...generated.properties,
    },
  };
}

/** `parameters/schema.json`'s exact text. */
export function renderJsonSchema(): string {
  return `${JSON.stringify(parametersJsonSchema(), null, 2)}\n`;
}

/** Names for the patterns a reader knows by name. */
const NAMED_PATTERNS = new Map<string, string>([
  [REGION_PATTERN.source, 'region name'],
  [ACCOUNT_ID_PATTERN.source, '12-digit account id'],
  [ROLE_ARN_PATTERN.source, 'IAM role ARN'],
  [OU_ID_PATTERN.source, 'OU or root id'],
  ['^\\d{6}$', 'six digits'],
]);

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

/** A short human description of the values a schema node accepts, e.g. `integer 900–43200`. */
export function typeText(node: JsonSchemaNode): string {
  if (node.anyOf !== undefined) return unique(node.anyOf.map(typeText)).join(' or ');
  if ('const' in node) return JSON.stringify(node.const);
  if (node.enum !== undefined) return node.enum.map((v) => JSON.stringify(v)).join(' | ');
  const types = Array.isArray(node.type) ? node.type : node.type === undefined ? [] : [node.type];
  return types
    .map((type) => {
      switch (type) {
        case 'integer': {
          const bounded = node.maximum !== undefined && node.maximum < Number.MAX_SAFE_INTEGER;
          if (node.minimum !== undefined && bounded) return `integer ${node.minimum}–${node.maximum}`;
          if (node.minimum !== undefined) return `integer ≥ ${node.minimum}`;
          return 'integer';
        }
        case 'string':
          if (node.format === 'uri') return 'URL';
          return (node.pattern === undefined ? undefined : NAMED_PATTERNS.get(node.pattern)) ?? 'string';
        case 'array': {
          const items = node.items === undefined ? 'values' : typeText(node.items);
          return node.minItems !== undefined && node.minItems > 0 ? `non-empty array of ${items}` : `array of ${items}`;
        }
        default:
          return type;
      }
    })
    .join(' or ');
}

export interface ParameterDoc {
  /** `region`, or `roles_anywhere.role_arn` for a nested field. */
  name: string;
  type: string;
  /** JSON of the default, `required` for a required nested field, or `—`. */
  default: string;
  description: string;
  node: JsonSchemaNode;
}

function objectBranch(node: JsonSchemaNode): JsonSchemaNode | null {
  if (node.properties !== undefined) return node;
  return node.anyOf?.find((branch) => branch.properties !== undefined) ?? null;
}

function docsOf(node: JsonSchemaNode, prefix: string): ParameterDoc[] {
  const docs: ParameterDoc[] = [];
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    if (key === '$schema') continue;
    const name = prefix === '' ? key : `${prefix}.${key}`;
    const required = node.required?.includes(key) ?? false;
    const defaultText = 'default' in child ? JSON.stringify(child.default) : required ? 'required' : '—';
    const nested = objectBranch(child);
    const type = nested === null ? typeText(child) : typeText({ ...child, anyOf: child.anyOf?.map((b) => (b === nested ? { type: 'object' } : b)) });
    docs.push({ name, type, default: defaultText, description: child.description ?? '', node: child });
    if (nested !== null) docs.push(...docsOf(nested, name));
  }
  return docs;
}

let docs: ParameterDoc[] | null = null;

/** Every parameter, nested ones after their parent, in schema order. */
export function parameterDocs(): readonly ParameterDoc[] {
  docs ??= docsOf(parametersJsonSchema(), '');
  return docs;
}
