/**
 * Tool requests as lenient as Superset 6.1's Pydantic request models, in one place:
 *
 * - unknown keys are ignored (Pydantic's default `extra="ignore"`; only get_instance_info forbids them);
 * - `null` in a field that may be omitted means omitted (6.1's `X | None = None` fields);
 * - a number or boolean sent as a string is read as Pydantic's lax mode reads it ("10", "true");
 * - the fields 6.1 `json.loads` (`config`: `_coerce_config_to_dict`; list `filters`:
 *   `parse_json_or_model_list`) also take a JSON string of their value, and an unparseable one is a
 *   specific error.
 *
 * The advertised JSON Schema (src/mcp/schemas.ts) still describes the object form: these wrappers are
 * preprocessing, which zod leaves out of an input schema, and a plain `z.object` does not advertise
 * `additionalProperties: false`.
 */
import * as z from 'zod'
import { parseNestedJson } from '../../json-text'

type Shape = Record<string, z.ZodType>

/** A tool request whose unknown keys are ignored, as Pydantic ignores them. */
export function requestObject<S extends Shape>(shape: S) {
  return z.preprocess((value) => normaliseFields(value, shape), z.object(shape))
}

/** The same, keeping unknown keys in the parsed request (for tools that read undeclared aliases). */
export function looseRequestObject<S extends Shape>(shape: S) {
  return z.preprocess((value) => normaliseFields(value, shape), z.looseObject(shape))
}

const INTEGER = /^[+-]?\d+$/
const BOOLEANS: Record<string, boolean> = {
  true: true,
  false: false,
  '1': true,
  '0': false,
  yes: true,
  no: false,
  on: true,
  off: false,
  t: true,
  f: false,
  y: true,
  n: false,
}

/** Nulls for omittable fields dropped; numbers and booleans sent as strings read as Pydantic reads them. */
function normaliseFields(value: unknown, shape: Shape): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value
  let copy: Record<string, unknown> | undefined
  for (const [key, item] of Object.entries(value)) {
    const field = shape[key]
    if (field === undefined) continue
    let next: unknown = item
    if (item === null) {
      if (!field.safeParse(null).success && field.safeParse(undefined).success) next = undefined
    } else if (typeof item === 'string' && !field.safeParse(item).success) {
      const text = item.trim()
      // "1" and "0" may be a number or a boolean: the first reading the field accepts wins.
      const candidates = [INTEGER.test(text) ? Number(text) : undefined, BOOLEANS[text.toLowerCase()]]
      const accepted = candidates.find(
        (candidate) => candidate !== undefined && field.safeParse(candidate).success,
      )
      if (accepted !== undefined) next = accepted
    }
    if (next === item) continue
    copy ??= { ...(value as Record<string, unknown>) }
    if (next === undefined) delete copy[key]
    else copy[key] = next
  }
  return copy ?? value
}

function parseJsonString(value: string, field: string, expected: string, ctx: z.RefinementCtx): unknown {
  const parsed = parseNestedJson(value, field)
  if (parsed.kind === 'json') return parsed.value
  ctx.addIssue({
    code: 'custom',
    message: `${field} is a string but not valid JSON (${parsed.reason}); send ${expected}, or a JSON string of one.`,
    input: value,
  })
  return z.NEVER
}

/** A JSON object field that also takes the object as a JSON string (6.1's `_coerce_config_to_dict`). */
export function jsonObjectField<T extends z.ZodType>(field: string, schema: T) {
  return z.preprocess(
    (value, ctx) => (typeof value === 'string' ? parseJsonString(value, field, 'an object', ctx) : value),
    schema,
  )
}

/**
 * A list field that also takes a JSON string of the list, or a single item (6.1's
 * `parse_json_or_model_list`: a JSON string is parsed, one object becomes a list of one, null or "" is empty).
 */
export function jsonListField<T extends z.ZodType>(field: string, schema: T) {
  return z.preprocess((value, ctx) => {
    if (value === null || value === '') return []
    const parsed = typeof value === 'string' ? parseJsonString(value, field, 'a list', ctx) : value
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return [parsed]
    return parsed
  }, schema)
}

/**
 * An integer 6.1 takes unbounded: values outside what the gateway serves are clamped into [min, max]
 * rather than refused (the description says so).
 */
export function clampedInt(min: number, max: number) {
  return z.int().transform((value) => Math.min(max, Math.max(min, value)))
}
