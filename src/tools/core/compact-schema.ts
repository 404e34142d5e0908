/**
 * Request schemas that tools/list shows in short form. A chart config's full JSON Schema is about
 * 15 KB; four tools take one, so the catalogue would carry it four times. These tools advertise a
 * summary instead (its discriminator and a pointer to get_chart_type_schema, which gives the full
 * schema and examples), and validate the full schema when called, as before.
 */
import type * as z from 'zod'

const compactSchemas = new WeakMap<z.ZodType, Readonly<Record<string, unknown>>>()

/** Advertises `schema` as `json` wherever a tool's input uses it; returns the schema unchanged. */
export function advertiseAs<Schema extends z.ZodType>(
  schema: Schema,
  json: Readonly<Record<string, unknown>>,
): Schema {
  compactSchemas.set(schema, json)
  return schema
}

/** The short form registered for `schema`, if any. */
export function advertisedSchemaOf(schema: z.ZodType): Readonly<Record<string, unknown>> | undefined {
  return compactSchemas.get(schema)
}
