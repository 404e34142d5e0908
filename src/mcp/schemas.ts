import * as z from 'zod'
import type { AnyToolDefinition } from '../tools'
import { ERROR_TYPES } from '../errors'

type JsonSchema = Record<string, unknown>

const ErrorBodySchema = z.object({
  error: z.string(),
  error_type: z.enum(ERROR_TYPES),
  timestamp: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
})

function toJsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const json = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema
  delete json.$schema
  return json
}

/**
 * Tool arguments as Superset declares them: one `request` object. Unknown keys are ignored, as
 * Superset 6.1's Pydantic models ignore them, so no `additionalProperties: false` is advertised (only
 * get_instance_info's request, which 6.1 declares `extra="forbid"`, carries it inside).
 */
export function inputSchemaOf(tool: AnyToolDefinition): JsonSchema & { type: 'object' } {
  const request = toJsonSchema(tool.input, 'input')
  const required = Array.isArray(request.required) && request.required.length > 0
  return {
    type: 'object',
    properties: { request },
    ...(required ? { required: ['request'] } : {}),
  }
}

/**
 * The response schema, or the gateway's error object: a failed call carries the error as structured
 * content too (design §5), and clients validate structured content against this schema.
 */
export function outputSchemaOf(tool: AnyToolDefinition): JsonSchema & { type: 'object' } {
  return {
    type: 'object',
    anyOf: [toJsonSchema(tool.output, 'output'), toJsonSchema(ErrorBodySchema, 'output')],
  }
}
