/**
 * EventBridge event-pattern matching, so the drill routes a recorded event exactly as the rule
 * that CDK deploys would. Semantics follow the EventBridge user guide ("Event patterns",
 * "Content filtering", "Arrays", "Matching null values") and the Event Ruler library behind it:
 *
 * - every field named in the pattern must match (AND); within a field's array, any value (OR);
 * - pattern values are arrays at the leaves; intermediate nodes are nested objects;
 * - an event array matches when any of its elements does; arrays of objects are flattened, but
 *   every matched field must come from the same element of a shared array ("array consistency");
 * - `exists` looks at leaf values only: `{"exists": false}` matches a missing field, a field whose
 *   value is an object, and an empty array.
 */

export type PatternLiteral = string | number | boolean | null;
/** A content filter such as `{ "prefix": "arn:" }`; checked when the pattern is compiled. */
export type ContentFilter = { readonly [filter: string]: unknown };
export type PatternMatcher = PatternLiteral | ContentFilter;
export interface EventPattern {
  readonly [field: string]: readonly PatternMatcher[] | EventPattern;
}

/** The pattern itself is malformed or uses a filter this matcher does not implement. */
export class InvalidEventPattern extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidEventPattern';
  }
}

export const SUPPORTED_FILTERS = ['exists', 'prefix', 'suffix', 'equals-ignore-case', 'anything-but', 'numeric'] as const;

type Leaf = PatternLiteral;
type Test = (value: Leaf) => boolean;

interface CompiledField {
  readonly key: string;
  readonly tests: readonly Test[];
  /** The pattern lists `{"exists": false}` for this field. */
  readonly matchesAbsent: boolean;
}

interface EventField {
  readonly value: Leaf;
  /** For each array this value sits in (by a per-event id), the element index. */
  readonly arrays: ReadonlyMap<number, number>;
}

/** True when the event matches the pattern. Throws InvalidEventPattern for a bad pattern. */
export function matchesPattern(pattern: EventPattern, event: unknown): boolean {
  const compiled = compilePattern(pattern);
  if (!isPlainObject(event)) return false;
  const fields = flattenEvent(event);

  const options: (EventField | null)[][] = [];
  for (const field of compiled) {
    const present = fields.get(field.key) ?? [];
    const choices: (EventField | null)[] = present.filter((f) => field.tests.some((test) => test(f.value)));
    // null = "satisfied by absence": it constrains no array element.
    if (present.length === 0 && field.matchesAbsent) choices.push(null);
    if (choices.length === 0) return false;
    options.push(choices);
  }
  options.sort((a, b) => a.length - b.length);
  return chooseConsistent(options, 0, []);
}

/** Throws InvalidEventPattern unless the pattern is one matchesPattern can evaluate. */
export function assertEventPattern(pattern: unknown): asserts pattern is EventPattern {
  compilePattern(pattern);
}

function chooseConsistent(options: readonly (readonly (EventField | null)[])[], index: number, chosen: EventField[]): boolean {
  const choices = options[index];
  if (choices === undefined) return true;
  for (const choice of choices) {
    if (choice === null) {
      if (chooseConsistent(options, index + 1, chosen)) return true;
      continue;
    }
    if (!chosen.every((other) => sameArrayElements(choice, other))) continue;
    chosen.push(choice);
    if (chooseConsistent(options, index + 1, chosen)) return true;
    chosen.pop();
  }
  return false;
}

function sameArrayElements(a: EventField, b: EventField): boolean {
  for (const [array, element] of a.arrays) {
    const other = b.arrays.get(array);
    if (other !== undefined && other !== element) return false;
  }
  return true;
}

// Paths are keyed as JSON arrays so that a key containing "." cannot collide with nesting.
const pathKey = (path: readonly string[]): string => JSON.stringify(path);
const where = (path: readonly string[]): string => (path.length === 0 ? 'event pattern' : `event pattern field "${path.join('.')}"`);

function flattenEvent(event: Record<string, unknown>): Map<string, EventField[]> {
  const fields = new Map<string, EventField[]>();
  let nextArrayId = 0;
  const walk = (value: unknown, path: string[], arrays: ReadonlyMap<number, number>): void => {
    if (Array.isArray(value)) {
      const id = nextArrayId++;
      value.forEach((element, i) => walk(element, path, new Map(arrays).set(id, i)));
    } else if (isPlainObject(value)) {
      for (const [key, child] of Object.entries(value)) walk(child, [...path, key], arrays);
    } else if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      const key = pathKey(path);
      const list = fields.get(key);
      if (list) list.push({ value, arrays });
      else fields.set(key, [{ value, arrays }]);
    }
  };
  walk(event, [], new Map());
  return fields;
}

function compilePattern(pattern: unknown): CompiledField[] {
  const out: CompiledField[] = [];
  const walk = (node: unknown, path: string[]): void => {
    if (!isPlainObject(node)) throw new InvalidEventPattern(`${where(path)} must be a JSON object`);
    const entries = Object.entries(node);
    if (entries.length === 0) throw new InvalidEventPattern(`${where(path)} must name at least one field`);
    for (const [key, value] of entries) {
      const at = [...path, key];
      if (key === '$or') throw new InvalidEventPattern(`${where(at)}: "$or" is not supported`);
      if (Array.isArray(value)) out.push(compileField(value, at));
      else if (isPlainObject(value)) walk(value, at);
      else throw new InvalidEventPattern(`${where(at)} must be an array of values or a nested object, got ${JSON.stringify(value)}`);
    }
  };
  walk(pattern, []);
  return out;
}

function compileField(values: readonly unknown[], path: readonly string[]): CompiledField {
  if (values.length === 0) throw new InvalidEventPattern(`${where(path)} must list at least one value`);
  const tests: Test[] = [];
  let matchesAbsent = false;
  for (const value of values) {
    if (isLiteral(value)) {
      tests.push(equalsLiteral(value));
    } else if (isPlainObject(value)) {
      const filter = compileFilter(value, path);
      if (filter === 'absent') matchesAbsent = true;
      else tests.push(filter);
    } else {
      throw new InvalidEventPattern(`${where(path)}: ${JSON.stringify(value)} is neither a value nor a content filter`);
    }
  }
  return { key: pathKey(path), tests, matchesAbsent };
}

function compileFilter(filter: Record<string, unknown>, path: readonly string[]): Test | 'absent' {
  const names = Object.keys(filter);
  const [name] = names;
  if (name === undefined || names.length !== 1) {
    throw new InvalidEventPattern(`${where(path)}: a content filter has exactly one key, got ${JSON.stringify(filter)}`);
  }
  const operand = filter[name];
  const bad = (expected: string): InvalidEventPattern =>
    new InvalidEventPattern(`${where(path)}: "${name}" takes ${expected}, got ${JSON.stringify(operand)}`);
  switch (name) {
    case 'exists':
      if (typeof operand !== 'boolean') throw bad('true or false');
      return operand ? () => true : 'absent';
    case 'prefix':
    case 'suffix': {
      const affix = affixOperand(operand);
      if (!affix) throw bad('a string or {"equals-ignore-case": string}');
      return (v) => typeof v === 'string' && hasAffix(v, affix.text, name, affix.ignoreCase);
    }
    case 'equals-ignore-case':
      if (typeof operand !== 'string') throw bad('a string');
      return (v) => typeof v === 'string' && v.toLowerCase() === operand.toLowerCase();
    case 'anything-but':
      return compileAnythingBut(operand, bad);
    case 'numeric':
      return compileNumeric(operand, bad);
    default:
      throw new InvalidEventPattern(
        `${where(path)}: unsupported content filter "${name}" (supported: ${SUPPORTED_FILTERS.join(', ')})`,
      );
  }
}

function compileAnythingBut(operand: unknown, bad: (expected: string) => InvalidEventPattern): Test {
  const expected = 'a string, a number, a list of only strings or only numbers, or {"prefix"|"suffix"|"equals-ignore-case": ...}';
  if (typeof operand === 'string' || typeof operand === 'number') return (v) => v !== operand;
  if (Array.isArray(operand)) {
    const allStrings = operand.every((x) => typeof x === 'string');
    const allNumbers = operand.every((x) => typeof x === 'number');
    if (operand.length === 0 || !(allStrings || allNumbers)) throw bad(expected);
    const excluded: readonly unknown[] = operand;
    return (v) => !excluded.includes(v);
  }
  if (isPlainObject(operand)) {
    const keys = Object.keys(operand);
    const [inner] = keys;
    const value = inner === undefined ? undefined : operand[inner];
    if (keys.length === 1 && (inner === 'prefix' || inner === 'suffix') && typeof value === 'string') {
      return (v) => typeof v === 'string' && !hasAffix(v, value, inner, false);
    }
    if (keys.length === 1 && inner === 'equals-ignore-case') {
      const list = typeof value === 'string' ? [value] : value;
      if (Array.isArray(list) && list.length > 0 && list.every((x) => typeof x === 'string')) {
        const lowered = list.map((x: string) => x.toLowerCase());
        return (v) => typeof v === 'string' && !lowered.includes(v.toLowerCase());
      }
    }
  }
  throw bad(expected);
}

const NUMERIC_OPERATORS = ['=', '<', '<=', '>', '>='] as const;
type NumericOperator = (typeof NUMERIC_OPERATORS)[number];

function compileNumeric(operand: unknown, bad: (expected: string) => InvalidEventPattern): Test {
  const expected = 'a list of operator/number pairs such as [">", 0, "<=", 5]';
  if (!Array.isArray(operand) || (operand.length !== 2 && operand.length !== 4)) throw bad(expected);
  const conditions: { op: NumericOperator; bound: number }[] = [];
  for (let i = 0; i < operand.length; i += 2) {
    const op: unknown = operand[i];
    const bound: unknown = operand[i + 1];
    if (!NUMERIC_OPERATORS.some((o) => o === op) || typeof bound !== 'number' || !Number.isFinite(bound)) throw bad(expected);
    conditions.push({ op: op as NumericOperator, bound });
  }
  return (v) => typeof v === 'number' && conditions.every(({ op, bound }) => compare(v, op, bound));
}

function compare(value: number, op: NumericOperator, bound: number): boolean {
  switch (op) {
    case '=':
      return value === bound;
    case '<':
      return value < bound;
    case '<=':
      return value <= bound;
    case '>':
      return value > bound;
    case '>=':
      return value >= bound;
  }
}

function affixOperand(operand: unknown): { text: string; ignoreCase: boolean } | undefined {
  if (typeof operand === 'string') return { text: operand, ignoreCase: false };
  if (isPlainObject(operand) && Object.keys(operand).length === 1 && typeof operand['equals-ignore-case'] === 'string') {
    return { text: operand['equals-ignore-case'], ignoreCase: true };
  }
  return undefined;
}

function hasAffix(value: string, affix: string, kind: 'prefix' | 'suffix', ignoreCase: boolean): boolean {
  const v = ignoreCase ? value.toLowerCase() : value;
  const a = ignoreCase ? affix.toLowerCase() : affix;
  return kind === 'prefix' ? v.startsWith(a) : v.endsWith(a);
}

/**
 * Exact, type-sensitive equality: "5" never matches 5, and "" never matches null. EventBridge
 * compares numbers by their JSON text (300 differs from 300.0); a parsed event no longer has
 * that text, so numbers compare by value here.
 */
function equalsLiteral(literal: Leaf): Test {
  return (v) => v === literal;
}

function isLiteral(value: unknown): value is Leaf {
  return value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
