import { LrpKerasError } from '../errors.js';

/**
 * The subset of JSON Schema the server's request schemas use, and a validator for it. The same
 * objects validate requests and appear in the OpenAPI document (`openapi.ts`), so the document cannot
 * drift from what is accepted. No code generation (ajv compiles schemas with `new Function`, which
 * Workers refuse), and messages name the field: "field options.epsilon: expected a number ≥ 0, got -1".
 */
export interface Schema {
  type?: 'object' | 'array' | 'number' | 'integer' | 'string' | 'boolean';
  /** How messages describe what is expected (otherwise derived from the type and bounds). */
  title?: string;
  description?: string;
  properties?: Record<string, Schema>;
  required?: readonly string[];
  /** false: no other keys; a schema: what every other key's value must satisfy. */
  additionalProperties?: boolean | Schema;
  items?: Schema;
  minItems?: number;
  maxItems?: number;
  enum?: readonly unknown[];
  anyOf?: readonly Schema[];
  minimum?: number;
  maximum?: number;
  format?: string;
  default?: unknown;
}

/** A failed check, with how deep into the value it happened (to pick the best message among anyOf branches). */
class SchemaError extends LrpKerasError {
  constructor(
    message: string,
    readonly depth: number,
  ) {
    super(message);
  }
}

const shown = (value: unknown): string => {
  const text = value === undefined ? 'nothing' : typeof value === 'number' ? String(value) : (JSON.stringify(value) ?? String(value));
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
};

/** What a schema expects, in words. */
export function expected(schema: Schema): string {
  if (schema.title) return schema.title;
  if (schema.enum) return `one of ${schema.enum.map((v) => JSON.stringify(v)).join(', ')}`;
  if (schema.anyOf) return schema.anyOf.map(expected).join(' or ');
  const bounds = [schema.minimum !== undefined ? `≥ ${schema.minimum}` : '', schema.maximum !== undefined ? `≤ ${schema.maximum}` : '']
    .filter(Boolean)
    .join(' and ');
  const article = schema.type === 'integer' || schema.type === 'array' || schema.type === 'object' ? 'an' : 'a';
  return `${article} ${schema.type ?? 'value'}${bounds ? ` ${bounds}` : ''}`;
}

const typeMatches = (type: Schema['type'], value: unknown): boolean => {
  switch (type) {
    case undefined:
      return true;
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    case 'array':
      return Array.isArray(value);
    case 'integer':
      return Number.isInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    default:
      return typeof value === type;
  }
};

function check(value: unknown, schema: Schema, path: string, depth: number): void {
  const fail = (why = `expected ${expected(schema)}, got ${shown(value)}`): never => {
    throw new SchemaError(`${path ? `field ${path}` : 'the body'}: ${why}`, depth);
  };
  if (schema.anyOf) {
    const errors: SchemaError[] = [];
    for (const branch of schema.anyOf) {
      try {
        check(value, branch, path, depth);
        return;
      } catch (e) {
        errors.push(e as SchemaError);
      }
    }
    // The branch that got furthest into the value says best what is wrong with it.
    const deepest = errors.reduce((a, b) => (b.depth > a.depth ? b : a));
    if (deepest.depth > depth) throw deepest;
    fail();
  }
  if (!typeMatches(schema.type, value)) fail();
  if (schema.enum && !schema.enum.includes(value)) fail();
  if (
    typeof value === 'number' &&
    ((schema.minimum !== undefined && value < schema.minimum) || (schema.maximum !== undefined && value > schema.maximum))
  )
    fail();
  if (Array.isArray(value)) {
    if (
      (schema.minItems !== undefined && value.length < schema.minItems) ||
      (schema.maxItems !== undefined && value.length > schema.maxItems)
    ) {
      fail(`expected ${expected(schema)} of ${schema.minItems ?? 0} to ${schema.maxItems ?? 'any number of'} items, got ${value.length}`);
    }
    if (schema.items) for (let i = 0; i < value.length; i++) check(value[i], schema.items, `${path || 'body'}[${i}]`, depth + 1);
  }
  if (schema.type === 'object') {
    const object = value as Record<string, unknown>;
    const at = (key: string): string => (path ? `${path}.${key}` : key);
    for (const key of schema.required ?? [])
      if (!Object.hasOwn(object, key)) throw new SchemaError(`field ${at(key)} is required`, depth + 1);
    for (const [key, v] of Object.entries(object)) {
      const sub = schema.properties?.[key] ?? schema.additionalProperties;
      if (sub === false || (sub === undefined && schema.properties)) {
        throw new SchemaError(
          `${path ? `field ${path}` : 'the body'}: unknown key '${key}'; known: ${Object.keys(schema.properties ?? {}).join(', ')}`,
          depth + 1,
        );
      }
      if (typeof sub === 'object') check(v, sub, at(key), depth + 1);
    }
  }
}

/** Throws an LrpKerasError naming the first field of `value` (called `path`; '' for a whole body) that `schema` refuses. */
export function validate(value: unknown, schema: Schema, path: string): void {
  check(value, schema, path, 0);
}
