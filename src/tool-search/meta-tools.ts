/**
 * The two tools Superset 6.1 lists when tool search is on (FastMCP's search transform): `search_tools`
 * (a natural-language query) and `call_tool` (a tool's name and its arguments), their listings and how
 * their arguments are read.
 */
import * as z from 'zod'
import { GatewayError } from '../errors'
import { parseNestedJson } from '../json-text'
import { CALL_TOOL_NAME, SEARCH_TOOL_NAME } from '../tool-names'
import type { ToolListing } from '../tools'

const META_ANNOTATIONS = {
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false,
} as const

export const SEARCH_TOOL_LISTING: ToolListing = {
  name: SEARCH_TOOL_NAME,
  title: 'Search tools',
  description:
    'Search for tools using natural language. Returns the matching tools you may use, most relevant first, ' +
    'each with its name, description and parameters; call one with call_tool.',
  inputSchema: {
    type: 'object',
    properties: {
      query: { type: 'string', description: 'Natural language query to search for tools' },
    },
    required: ['query'],
  },
  annotations: { title: 'Search tools', ...META_ANNOTATIONS },
}

export const CALL_TOOL_LISTING: ToolListing = {
  name: CALL_TOOL_NAME,
  title: 'Call a tool',
  description:
    'Call a tool by name with the given arguments. Use this to execute tools discovered via search_tools; ' +
    'the arguments are what the tool itself takes, e.g. {"request": {"page_size": 5}}.',
  inputSchema: {
    type: 'object',
    properties: {
      name: { type: 'string', description: 'The name of the tool to call' },
      // A plain object, never `anyOf` with null: MCP bridges (mcp-remote, Claude Desktop) drop `anyOf`
      // and then refuse every call (6.1 server.py `_fix_call_tool_arguments`).
      arguments: {
        type: 'object',
        additionalProperties: true,
        default: null,
        description: 'Arguments to pass to the tool',
      },
    },
    required: ['name'],
  },
  annotations: {
    title: 'Call a tool',
    readOnlyHint: false,
    destructiveHint: true,
    idempotentHint: false,
    openWorldHint: false,
  },
}

/** The longest query read: enough for any question, bounded work per call. */
const MAX_QUERY_LENGTH = 1_000

export const SearchRequestSchema = z.object({
  query: z.string().max(MAX_QUERY_LENGTH).describe('Natural language query to search for tools'),
})

export interface CallTarget {
  name: string
  arguments: unknown
}

/**
 * The tool `call_tool` names and the arguments it passes on, normalised as 6.1 does before forwarding
 * (server.py `_normalize_call_tool_arguments`, utils/schema_utils.py `parse_request`): no arguments are
 * `{}` (the tool's defaults), a JSON string is parsed; what is inside (`{"request": {...}}`, a JSON-string
 * request, flattened fields) then goes to the tool exactly as a direct call's arguments do.
 */
export function callTarget(args: unknown): CallTarget {
  const record = args === undefined || args === null ? {} : args
  if (typeof record !== 'object' || Array.isArray(record)) {
    throw new GatewayError('ValidationError', 'call_tool takes {"name": "<tool>", "arguments": {...}}.')
  }
  const { name, arguments: forwarded, ...extra } = record as Record<string, unknown>
  const extraKeys = Object.keys(extra)
  if (extraKeys.length > 0) {
    throw new GatewayError(
      'ValidationError',
      `call_tool takes "name" and "arguments" only (found ${extraKeys.map((key) => `"${key}"`).join(', ')}); put the tool's own arguments inside "arguments".`,
    )
  }
  if (typeof name !== 'string' || name === '') {
    throw new GatewayError(
      'ValidationError',
      'call_tool needs "name": the name of a tool, as search_tools returns it.',
    )
  }
  if (name === SEARCH_TOOL_NAME || name === CALL_TOOL_NAME) {
    throw new GatewayError(
      'ValidationError',
      `'${name}' is a synthetic search tool and cannot be called via the call_tool proxy; call it directly.`,
    )
  }
  return { name, arguments: parseForwarded(forwarded) }
}

function parseForwarded(forwarded: unknown): unknown {
  if (forwarded === undefined || forwarded === null) return {}
  if (typeof forwarded !== 'string') return forwarded
  if (forwarded.trim() === '') return {}
  const parsed = parseNestedJson(forwarded, '"arguments"')
  if (parsed.kind === 'json') return parsed.value
  throw new GatewayError(
    'ValidationError',
    '"arguments" is a string but not valid JSON; send it as an object, e.g. {"request": {...}}.',
  )
}
