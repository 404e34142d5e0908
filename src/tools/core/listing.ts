/**
 * A tool as `tools/list` describes it, in plain JSON Schema: what the MCP server sends and what tool
 * search ranks and returns. Tools are described from their zod schemas here, once, for every reader.
 */
import * as z from 'zod'
import { ERROR_TYPES } from '../../errors'
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

/** Tool arguments as Superset declares them: one `request` object. */
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
    anyOf: [toJsonSchema(tool.output, 'output'), toJsonSchema(ErrorBodySchema, 'output')],
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
      outputSchema: outputSchemaOf(tool),
      annotations: { title: tool.title, ...tool.annotations },
    }
    listings.set(tool, listing)
  }
  return listing
}
