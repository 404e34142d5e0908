/**
 * A tool as `tools/list` describes it, in plain JSON Schema: what the MCP server sends and what tool
 * search ranks and returns. Tools are described from their zod schemas here, once, for every reader.
 */
import * as z from 'zod'
import { advertisedSchemaOf } from './compact-schema'
import type { AnyToolDefinition, ToolAnnotations } from './definition'

export type JsonSchema = Record<string, unknown>

export interface ToolListing {
  name: string
  title: string
  description: string
  inputSchema: JsonSchema & { type: 'object' }
  outputSchema?: JsonSchema & { type: 'object' }
  annotations: Partial<ToolAnnotations> & { title: string }
}

/**
 * The error object a failed call carries as structured content (its fields: design §5, the README's
 * "Errors"). The schema says only what tells it apart, to keep every tool's entry small.
 */
const ERROR_BODY_SCHEMA: JsonSchema = { type: 'object', required: ['error', 'error_type'] }

/**
 * A tool that asks the user to confirm may answer that the user declined (src/mcp/confirmation.ts): not an
 * error, and not the tool's response either, so its schema says so.
 */
const DECLINED_SCHEMA: JsonSchema = {
  type: 'object',
  properties: { confirmation: { const: 'declined' }, message: { type: 'string' } },
  required: ['confirmation', 'message'],
}

function toJsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const json = z.toJSONSchema(schema, {
    io,
    unrepresentable: 'any',
    override: (context) => {
      const advertised = advertisedSchemaOf(context.zodSchema as unknown as z.ZodType)
      if (advertised === undefined) return
      for (const key of Object.keys(context.jsonSchema)) delete context.jsonSchema[key]
      Object.assign(context.jsonSchema, structuredClone(advertised))
    },
  }) as JsonSchema
  delete json.$schema
  return compact(json, io) as JsonSchema
}

const SAFE_INTEGER_BOUNDS = new Set([Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER])
/** Keywords whose value is a map of name → schema. */
const SCHEMA_MAPS = new Set(['properties', '$defs', 'definitions', 'patternProperties'])
/** Keywords whose value is a schema, or a list of schemas. */
const SCHEMA_VALUES = new Set(['items', 'additionalProperties', 'not', 'contains', 'propertyNames'])
const SCHEMA_LISTS = new Set(['anyOf', 'oneOf', 'allOf', 'prefixItems'])

/**
 * What tools/list carries, without what says nothing or what some clients reject: the ±2^53 bounds
 * zod puts on every integer, `type` arrays (written as anyOf), `propertyNames: {type: string}` (JSON
 * keys are strings), `additionalProperties: {}` (the default) and empty `properties`. Output schemas
 * also drop descriptions, closed-object markers and nested `required` lists, and describe fields
 * below the top-level fields by their JSON type only: they say what a field holds; the README has the
 * rest, and a newer gateway may add fields.
 */
function compact(schema: unknown, io: 'input' | 'output', depth = 0): unknown {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return schema
  if (io === 'output' && depth >= OUTPUT_DEPTH) return shape(schema as JsonSchema)
  const out: JsonSchema = {}
  for (const [key, value] of Object.entries(schema)) {
    if ((key === 'minimum' || key === 'maximum') && SAFE_INTEGER_BOUNDS.has(value as number)) continue
    if (key === 'propertyNames' && isStringType(value)) continue
    if (key === 'additionalProperties' && (isEmptySchema(value) || (io === 'output' && value === false)))
      continue
    if (key === 'description' && io === 'output') continue
    if (key === 'required' && io === 'output' && depth > 0) continue
    if (SCHEMA_MAPS.has(key) && typeof value === 'object' && value !== null) {
      const entries = Object.entries(value).map(([name, inner]) => [name, compact(inner, io, depth + 1)])
      if (entries.length > 0 || key !== 'properties') out[key] = Object.fromEntries(entries)
    } else if (SCHEMA_VALUES.has(key)) {
      const inner = compact(value, io, depth + 1)
      if (key !== 'additionalProperties' || !isEmptySchema(inner)) out[key] = inner
    } else if (SCHEMA_LISTS.has(key) && Array.isArray(value)) {
      out[key] = value.map((inner) => compact(inner, io, depth))
    } else {
      out[key] = value
    }
  }
  if (Array.isArray(out.type) && out.anyOf === undefined) {
    out.anyOf = (out.type as string[]).map((type) => ({ type }))
    delete out.type
  }
  return out
}

/** Output fields this deep (inside a top-level field) are described by their JSON type only. */
const OUTPUT_DEPTH = 2

/** A schema's JSON type(s) and nothing else; any value when it has none. */
function shape(schema: JsonSchema): JsonSchema {
  if (typeof schema.type === 'string') return { type: schema.type }
  const types = Array.isArray(schema.type)
    ? (schema.type as string[])
    : Array.isArray(schema.anyOf)
      ? (schema.anyOf as JsonSchema[]).map((alternative) => alternative.type)
      : []
  const known = types.filter((type): type is string => typeof type === 'string')
  if (known.length === 0 || known.length !== types.length) return {}
  return known.length === 1 ? { type: known[0] } : { anyOf: known.map((type) => ({ type })) }
}

function isStringType(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    Object.keys(value).length === 1 &&
    (value as JsonSchema).type === 'string'
  )
}

function isEmptySchema(value: unknown): boolean {
  return (
    typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 0
  )
}

/**
 * Tool arguments as Superset declares them: one `request` object. Unknown keys inside it are ignored,
 * as Superset 6.1's Pydantic models ignore them (only get_instance_info's request, which 6.1 declares
 * `extra="forbid"`, is closed); beside it, the gateway takes nothing else.
 */
export function inputSchemaOf(tool: AnyToolDefinition): JsonSchema & { type: 'object' } {
  const request = toJsonSchema(tool.input, 'input')
  const required = Array.isArray(request.required) && request.required.length > 0
  return {
    type: 'object',
    properties: { request },
    ...(required ? { required: ['request'] } : {}),
    additionalProperties: false,
  }
}

/**
 * The response schema, or the gateway's error object: a failed call carries the error as structured
 * content too (design §5), and clients validate structured content against this schema.
 */
export function outputSchemaOf(tool: AnyToolDefinition): JsonSchema & { type: 'object' } {
  return {
    type: 'object',
    anyOf: [
      toJsonSchema(tool.output, 'output'),
      ERROR_BODY_SCHEMA,
      ...(tool.confirm === undefined ? [] : [DECLINED_SCHEMA]),
    ],
  }
}

const listings = new WeakMap<AnyToolDefinition, ToolListing>()

/** The tool's listing (built once per tool and isolate: its schemas never change). */
export function toolListing(tool: AnyToolDefinition): ToolListing {
  let listing = listings.get(tool)
  if (listing === undefined) {
    listing = {
      name: tool.name,
      title: tool.title,
      description: tool.description,
      inputSchema: inputSchemaOf(tool),
      // Content blocks are the answer itself: there is no structured content to describe.
      ...(tool.answersWithContent === true ? {} : { outputSchema: outputSchemaOf(tool) }),
      annotations: { title: tool.title, ...tool.annotations },
    }
    listings.set(tool, listing)
  }
  return listing
}
