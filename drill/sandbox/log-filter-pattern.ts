import { AwsError } from './aws-error';

/**
 * CloudWatch Logs filter patterns, as FilterLogEvents and metric filters match them: an empty
 * pattern (every event), a quoted phrase ("Task timed out"), terms that must all appear, and JSON
 * patterns `{ <expression> }` over an event whose message is a JSON object. A JSON expression is
 * comparisons of a selector (`$.errorCode`, `$.userIdentity.arn`, `$.resources[0].ARN`) joined by
 * `&&` and `||` (`&&` binds tighter) and grouped by parentheses: `=` and `!=` against a string,
 * quoted or bare, where `*` matches any run of characters (`"AccessDenied*"`); `=`, `!=`, `<`, `>`,
 * `<=`, `>=` against a number; `IS TRUE`, `IS FALSE`, `IS NULL`, `NOT EXISTS`. A comparison on a
 * field the event lacks does not match (only NOT EXISTS does); a message that is not JSON matches
 * no JSON pattern. Not modelled (refused with InvalidParameterException, never matched silently
 * wrong): regular expressions (`%...%`), space-delimited patterns (`[a, b]`), `?term` alternatives.
 */

type Selector = readonly (string | number)[];
type Comparison =
  | { kind: 'compare'; selector: Selector; op: '=' | '!=' | '<' | '>' | '<=' | '>='; value: string | number }
  | { kind: 'is'; selector: Selector; value: true | false | null }
  | { kind: 'not-exists'; selector: Selector };
type Expression = Comparison | { kind: 'and' | 'or'; left: Expression; right: Expression };

const invalid = (pattern: string, why: string) => new AwsError('InvalidParameterException', 400, `Invalid filter pattern ${pattern}: ${why}`);

/** Tokens of a JSON expression: punctuation, operators, quoted strings, and bare words. */
function tokenize(source: string, pattern: string): string[] {
  const tokens: string[] = [];
  const re = /\s*(&&|\|\||!=|<=|>=|=|<|>|\(|\)|"(?:[^"\\]|\\.)*"|[^\s()=!<>&|"]+)/y;
  let at = 0;
  while (at < source.length) {
    if (/^\s*$/.test(source.slice(at))) break;
    re.lastIndex = at;
    const m = re.exec(source);
    if (!m) throw invalid(pattern, `unexpected text at ${source.slice(at).trim()}`);
    tokens.push(m[1]!);
    at = re.lastIndex;
  }
  return tokens;
}

function parseSelector(token: string, pattern: string): Selector {
  const m = /^\$((?:\.[A-Za-z0-9_@-]+|\[\d+\])*)$/.exec(token);
  if (!m) throw invalid(pattern, `${token} is not a selector ($.field, $.a.b, $.list[0])`);
  return [...m[1]!.matchAll(/\.([A-Za-z0-9_@-]+)|\[(\d+)\]/g)].map((p) => (p[1] !== undefined ? p[1] : Number(p[2])));
}

function parseValue(token: string | undefined, pattern: string): string | number {
  if (token === undefined) throw invalid(pattern, 'a comparison has no value');
  if (token.startsWith('"')) return JSON.parse(token) as string;
  if (token.startsWith('%')) throw invalid(pattern, 'regular expressions are not modelled by the sandbox');
  if (/^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(token)) return Number(token);
  return token;
}

class Parser {
  private at = 0;
  constructor(private readonly tokens: readonly string[], private readonly pattern: string) {}

  parse(): Expression {
    const e = this.or();
    if (this.at < this.tokens.length) throw invalid(this.pattern, `unexpected ${this.tokens[this.at]}`);
    return e;
  }

  private or(): Expression {
    let left = this.and();
    while (this.tokens[this.at] === '||') {
      this.at++;
      left = { kind: 'or', left, right: this.and() };
    }
    return left;
  }

  private and(): Expression {
    let left = this.term();
    while (this.tokens[this.at] === '&&') {
      this.at++;
      left = { kind: 'and', left, right: this.term() };
    }
    return left;
  }

  private term(): Expression {
    const token = this.tokens[this.at++];
    if (token === '(') {
      const e = this.or();
      if (this.tokens[this.at++] !== ')') throw invalid(this.pattern, 'a parenthesis is not closed');
      return e;
    }
    if (token === undefined) throw invalid(this.pattern, 'an expression is missing');
    const selector = parseSelector(token, this.pattern);
    const op = this.tokens[this.at++];
    if (op === 'IS') {
      const what = this.tokens[this.at++];
      if (what === 'TRUE' || what === 'FALSE' || what === 'NULL') return { kind: 'is', selector, value: what === 'NULL' ? null : what === 'TRUE' };
      throw invalid(this.pattern, `IS ${what ?? ''}: expected TRUE, FALSE or NULL`);
    }
    if (op === 'NOT') {
      if (this.tokens[this.at++] !== 'EXISTS') throw invalid(this.pattern, 'NOT: expected NOT EXISTS');
      return { kind: 'not-exists', selector };
    }
    if (op === '=' || op === '!=' || op === '<' || op === '>' || op === '<=' || op === '>=') {
      const value = parseValue(this.tokens[this.at++], this.pattern);
      if (typeof value === 'string' && op !== '=' && op !== '!=') throw invalid(this.pattern, `${op} compares numbers only`);
      return { kind: 'compare', selector, op, value };
    }
    throw invalid(this.pattern, `${token} ${op ?? ''}: expected a comparison`);
  }
}

const MISSING = Symbol('missing');

function select(doc: unknown, selector: Selector): unknown {
  let v: unknown = doc;
  for (const part of selector) {
    if (typeof part === 'number') {
      if (!Array.isArray(v) || part >= v.length) return MISSING;
      v = v[part];
    } else {
      if (typeof v !== 'object' || v === null || Array.isArray(v) || !(part in v)) return MISSING;
      v = (v as Record<string, unknown>)[part];
    }
  }
  return v;
}

/** A string value with `*` wildcards, matched against the whole field. */
const wildcard = (pattern: string, value: string): boolean =>
  new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 's').test(value);

function holds(e: Expression, doc: unknown): boolean {
  switch (e.kind) {
    case 'and': return holds(e.left, doc) && holds(e.right, doc);
    case 'or': return holds(e.left, doc) || holds(e.right, doc);
    case 'not-exists': return select(doc, e.selector) === MISSING;
    case 'is': {
      const v = select(doc, e.selector);
      return v !== MISSING && v === e.value;
    }
    case 'compare': {
      const v = select(doc, e.selector);
      if (v === MISSING || v === null || typeof v === 'object') return false;
      if (typeof e.value === 'number') {
        const n = typeof v === 'number' ? v : Number(v);
        if (Number.isNaN(n)) return e.op === '!=';
        switch (e.op) {
          case '=': return n === e.value;
          case '!=': return n !== e.value;
          case '<': return n < e.value;
          case '>': return n > e.value;
          case '<=': return n <= e.value;
          case '>=': return n >= e.value;
        }
      }
      const equal = wildcard(e.value, String(v));
      return e.op === '=' ? equal : !equal;
    }
  }
}

/** A filter pattern as a predicate over an event's message; a pattern it cannot read is InvalidParameterException. */
export function compileFilterPattern(raw: string | undefined): (message: string) => boolean {
  const pattern = raw?.trim() ?? '';
  if (pattern === '') return () => true;
  if (pattern.startsWith('{')) {
    if (!pattern.endsWith('}')) throw invalid(pattern, 'a JSON pattern ends with }');
    const expression = new Parser(tokenize(pattern.slice(1, -1), pattern), pattern).parse();
    return (message) => {
      let doc: unknown;
      try {
        doc = JSON.parse(message);
      } catch {
        return false;
      }
      return typeof doc === 'object' && doc !== null && holds(expression, doc);
    };
  }
  if (pattern.startsWith('[') || pattern.startsWith('%') || /(^|\s)\?/.test(pattern)) {
    throw invalid(pattern, 'space-delimited, regular-expression and ?-alternative patterns are not modelled by the sandbox');
  }
  const phrase = /^"(.*)"$/.exec(pattern);
  if (phrase) return (message) => message.includes(phrase[1]!);
  const terms = pattern.split(/\s+/).map((term) => term.replace(/^"|"$/g, ''));
  return (message) => terms.every((term) => message.includes(term));
}
