/**
 * Where a JSON text first goes wrong, as line and column. `JSON.parse` on Node 20 gives a character
 * offset for some errors and none for others, and quotes a piece of the text (which may hold a
 * secret), so the parameter loader reports this scanner's finding instead.
 */

export interface JsonSyntaxProblem {
  /** 1-based. */
  line: number;
  /** 1-based, in characters. */
  column: number;
  problem: string;
}

class Scanner {
  position = 0;
  constructor(private readonly text: string) {}

  fail(problem: string): never {
    throw new JsonSyntaxFailure(this.position, problem);
  }

  peek(): string | undefined {
    return this.text[this.position];
  }

  skipWhitespace(): void {
    while (/[ \t\n\r]/.test(this.text[this.position] ?? '')) this.position++;
  }

  expect(literal: string, what: string): void {
    if (!this.text.startsWith(literal, this.position)) this.fail(`expected ${what}`);
    this.position += literal.length;
  }

  value(): void {
    this.skipWhitespace();
    const c = this.peek();
    if (c === undefined) this.fail('the text ends where a value was expected');
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') return this.string();
    if (c === 't') return this.expect('true', 'a value');
    if (c === 'f') return this.expect('false', 'a value');
    if (c === 'n') return this.expect('null', 'a value');
    if (c === '-' || (c >= '0' && c <= '9')) return this.number();
    if (c === "'") this.fail('strings must use double quotes, not single quotes');
    this.fail('expected a value (a string in double quotes, a number, true, false, null, an object or an array)');
  }

  object(): void {
    this.position++;
    this.skipWhitespace();
    if (this.peek() === '}') {
      this.position++;
      return;
    }
    for (;;) {
      this.skipWhitespace();
      if (this.peek() === '}') this.fail('trailing comma before "}"');
      if (this.peek() !== '"') this.fail('expected a property name in double quotes');
      this.string();
      this.skipWhitespace();
      if (this.peek() !== ':') this.fail('expected ":" after the property name');
      this.position++;
      this.value();
      this.skipWhitespace();
      const c = this.peek();
      if (c === ',') {
        this.position++;
        continue;
      }
      if (c === '}') {
        this.position++;
        return;
      }
      this.fail(c === undefined ? 'the text ends inside an object (missing "}")' : 'expected "," or "}" after a property value');
    }
  }

  array(): void {
    this.position++;
    this.skipWhitespace();
    if (this.peek() === ']') {
      this.position++;
      return;
    }
    for (;;) {
      this.skipWhitespace();
      if (this.peek() === ']') this.fail('trailing comma before "]"');
      this.value();
      this.skipWhitespace();
      const c = this.peek();
      if (c === ',') {
        this.position++;
        continue;
      }
      if (c === ']') {
        this.position++;
        return;
      }
      this.fail(c === undefined ? 'the text ends inside an array (missing "]")' : 'expected "," or "]" after an array element');
    }
  }

  string(): void {
    this.position++;
    for (;;) {
      const c = this.peek();
      if (c === undefined) this.fail('the text ends inside a string (missing closing ")');
      if (c === '"') {
        this.position++;
        return;
      }
      if (c < ' ') this.fail('a string contains a raw control character (write a line break as \\n)');
      if (c === '\\') {
        const escape = this.text[this.position + 1];
        if (escape === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(this.text.slice(this.position + 2, this.position + 6))) this.fail('bad \\u escape in a string');
          this.position += 6;
          continue;
        }
        if (escape === undefined || !'"\\/bfnrt'.includes(escape)) this.fail('bad escape in a string (a backslash must be written \\\\)');
        this.position += 2;
        continue;
      }
      this.position++;
    }
  }

  number(): void {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(this.text.slice(this.position));
    if (match === null) this.fail('malformed number');
    this.position += match[0].length;
  }
}

class JsonSyntaxFailure extends Error {
  constructor(
    readonly position: number,
    readonly problem: string,
  ) {
    super(problem);
  }
}

function lineAndColumn(text: string, position: number): { line: number; column: number } {
  const before = text.slice(0, position);
  const lines = before.split('\n');
  return { line: lines.length, column: (lines[lines.length - 1] ?? '').length + 1 };
}

/** The first syntax error of `text`, or null when it is valid JSON. */
export function locateJsonError(text: string): JsonSyntaxProblem | null {
  const scanner = new Scanner(text);
  try {
    scanner.value();
    scanner.skipWhitespace();
    if (scanner.position < text.length) scanner.fail('unexpected text after the end of the JSON value');
    return null;
  } catch (error) {
    if (!(error instanceof JsonSyntaxFailure)) throw error;
    return { ...lineAndColumn(text, error.position), problem: error.problem };
  }
}
