/**
 * Everything wrong with a parameter file, reported at once: one line per problem, each naming the
 * field, the value's problem and the fix. A `config` error, so the process exits 2.
 */
import { InventoryError } from '../errors/inventoryError.js';

export interface ParameterProblem {
  /** `master_assume_role_arn_chain[1]`, `roles_anywhere.region`, or the file's path. */
  field: string;
  message: string;
  hint?: string;
}

export class ParameterError extends InventoryError {
  readonly problems: readonly ParameterProblem[];
  /** The parameter file the problems were found in, when there is one. */
  readonly source: string | undefined;

  constructor(problems: readonly ParameterProblem[], source?: string) {
    const first = problems[0];
    if (first === undefined) throw new Error('ParameterError needs at least one problem');
    super('config', first.message, { field: first.field, hint: first.hint });
    this.name = 'ParameterError';
    this.problems = problems;
    this.source = source;
  }

  override describe(): string {
    const where = this.source === undefined ? '' : `${this.source}: `;
    return this.problems.map((p) => `${where}${p.field}: ${p.message}${p.hint ? ` ${p.hint}` : ''}`).join('\n');
  }
}

/** `['master_assume_role_arn_chain', 1]` ⇒ `master_assume_role_arn_chain[1]`. */
export function formatFieldPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const part of path) {
    if (typeof part === 'number') text += `[${part}]`;
    else text += text === '' ? String(part) : `.${String(part)}`;
  }
  return text === '' ? '(the whole file)' : text;
}

/** Collects problems through the loader's phases; each phase throws what it found before the next runs. */
export class ProblemList {
  readonly problems: ParameterProblem[] = [];

  constructor(private readonly source?: string) {}

  /** Only the first problem of a field is kept: a second says the same thing less well. */
  add(field: string, message: string, hint?: string): void {
    if (this.problems.some((problem) => problem.field === field)) return;
    this.problems.push(hint === undefined ? { field, message } : { field, message, hint });
  }

  throwIfAny(): void {
    if (this.problems.length > 0) throw new ParameterError(this.problems, this.source);
  }
}
