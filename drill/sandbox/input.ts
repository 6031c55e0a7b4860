import { AwsError, validationError } from './aws-error';

/** A decoded request: JSON body, REST labels and query, or the nested AWS Query form. */
export type Input = Readonly<Record<string, unknown>>;

export type InvalidFactory = (member: string, constraint: string, value?: unknown) => AwsError;

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Typed reads of request members; a missing or mistyped member is the service's validation error. */
export class Fields {
  constructor(
    readonly input: Input,
    private readonly invalid: InvalidFactory = validationError,
  ) {}

  string(name: string): string {
    const value = this.optString(name);
    if (value === undefined) throw this.invalid(this.member(name), 'Member must not be null');
    return value;
  }

  optString(name: string): string | undefined {
    const value = this.input[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') throw this.invalid(this.member(name), 'Member must be a string', value);
    return value;
  }

  int(name: string): number {
    const value = this.optInt(name);
    if (value === undefined) throw this.invalid(this.member(name), 'Member must not be null');
    return value;
  }

  optInt(name: string): number | undefined {
    const raw = this.input[name];
    if (raw === undefined || raw === null) return undefined;
    const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      throw this.invalid(this.member(name), 'Member must be an integer', raw);
    }
    return value;
  }

  optBool(name: string): boolean | undefined {
    const value = this.input[name];
    if (value === undefined || value === null) return undefined;
    if (value === 'true') return true;
    if (value === 'false') return false;
    if (typeof value !== 'boolean') throw this.invalid(this.member(name), 'Member must be a boolean', value);
    return value;
  }

  optStrings(name: string): string[] | undefined {
    const value = this.input[name];
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value) || !value.every((v): v is string => typeof v === 'string')) {
      throw this.invalid(this.member(name), 'Member must be a list of strings');
    }
    return value;
  }

  optObject(name: string): Fields | undefined {
    const value = this.input[name];
    if (value === undefined || value === null) return undefined;
    if (!isRecord(value)) throw this.invalid(this.member(name), 'Member must be a structure');
    return new Fields(value, this.invalid);
  }

  object(name: string): Fields {
    const value = this.optObject(name);
    if (value === undefined) throw this.invalid(this.member(name), 'Member must not be null');
    return value;
  }

  objects(name: string): Fields[] {
    const value = this.input[name];
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value) || !value.every(isRecord)) {
      throw this.invalid(this.member(name), 'Member must be a list of structures');
    }
    return value.map((v) => new Fields(v, this.invalid));
  }

  /** AWS validation messages name members in lowerCamelCase. */
  private member(name: string): string {
    return name.charAt(0).toLowerCase() + name.slice(1);
  }
}
