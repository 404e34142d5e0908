/**
 * How a found tool is described to the agent, as Superset 6.1 serialises search results
 * (server.py `_create_search_result_serializer`): never an output schema; the description cut to 300
 * characters; either a `parameters_hint` (summary mode, the default) or the input schema made compact.
 */
import type { JsonSchema, ToolListing } from '../tools'

/** 6.1's `max_description_length`. */
const MAX_DESCRIPTION_LENGTH = 300

export interface FoundTool {
  name: string
  title: string
  description: string
  /** Summary mode: the tool's top-level parameter names, comma-separated (absent when it takes none). */
  parameters_hint?: string
  /** With MCP_TOOL_SEARCH_INCLUDE_SCHEMAS: the input schema, compact. */
  inputSchema?: JsonSchema
  annotations: ToolListing['annotations']
}

export function describeFound(listing: ToolListing, includeSchemas: boolean): FoundTool {
  const found: FoundTool = {
    name: listing.name,
    title: listing.title,
    description: truncateDescription(listing.description, MAX_DESCRIPTION_LENGTH),
    annotations: listing.annotations,
  }
  if (includeSchemas) found.inputSchema = compactSchema(stripTitles(listing.inputSchema)) as JsonSchema
  else {
    const hint = parameterNames(listing.inputSchema)
    if (hint !== '') found.parameters_hint = hint
  }
  return found
}

/**
 * At most `max` characters: cut after the last sentence that ends past half of it, otherwise at `max`
 * with an ellipsis.
 */
function truncateDescription(text: string, max: number): string {
  if (text.length <= max) return text
  const head = text.slice(0, max)
  const sentenceEnd = head.lastIndexOf('. ')
  if (sentenceEnd > Math.floor(max / 2)) return head.slice(0, sentenceEnd + 1)
  return `${head.trimEnd()}...`
}

/** The top-level property names of an input schema, as `"a, b, c"` ("" when there are none). */
function parameterNames(schema: JsonSchema): string {
  const properties = schema.properties
  if (typeof properties !== 'object' || properties === null) return ''
  return Object.keys(properties).join(', ')
}

/**
 * Enough schema to call the tool: `$defs` dropped, a `$ref` read as a plain object (its description
 * kept), and an optional value (`anyOf`/`oneOf` of one type and null) read as that type. A new value:
 * the listing's own schema is shared and left as it is.
 */
function compactSchema(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(compactSchema)
  if (typeof value !== 'object' || value === null) return value
  const node = value as JsonSchema
  if ('$ref' in node) {
    return typeof node.description === 'string' && node.description !== ''
      ? { type: 'object', description: node.description }
      : { type: 'object' }
  }
  const result: JsonSchema = {}
  for (const [key, item] of Object.entries(node)) if (key !== '$defs') result[key] = compactSchema(item)
  return collapseOptional(result)
}

function collapseOptional(node: JsonSchema): JsonSchema {
  for (const union of ['anyOf', 'oneOf'] as const) {
    const variants = node[union]
    if (!Array.isArray(variants) || variants.length !== 2) continue
    const present = variants.filter((variant) => (variant as JsonSchema | null)?.type !== 'null')
    if (present.length !== 1) continue
    const only = { ...(present[0] as JsonSchema) }
    for (const kept of ['description', 'default'] as const)
      if (kept in node && !(kept in only)) only[kept] = node[kept]
    const { [union]: _union, description: _description, default: _default, ...rest } = node
    node = { ...rest, ...only }
  }
  return node
}

/** Schema `title`s removed (they repeat the names), but not a property that is called `title`. */
function stripTitles(value: unknown, inProperties = false): unknown {
  if (Array.isArray(value)) return value.map((item) => stripTitles(item))
  if (typeof value !== 'object' || value === null) return value
  const result: JsonSchema = {}
  for (const [key, item] of Object.entries(value)) {
    if (key === 'title' && !inProperties) continue
    result[key] = stripTitles(item, key === 'properties')
  }
  return result
}
