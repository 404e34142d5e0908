/**
 * Superset 6.1's tool search (mcp_config.py MCP_TOOL_SEARCH_CONFIG, on by default): `tools/list` shows
 * `search_tools`, `call_tool` and the pinned tools; `search_tools` ranks, with BM25, only the tools the
 * caller may use; `call_tool` names one of them. The dispatcher runs both (src/dispatch): a `call_tool`
 * call is the named tool's call in every respect. No MCP SDK and no Hono here.
 */
import type { ToolSearchConfig } from '../config'
import { CALL_TOOL_NAME, SEARCH_TOOL_NAME } from '../tool-names'
import { toolListing, unwrapRequest, type AnyToolDefinition, type ToolListing } from '../tools'
import { GatewayError } from '../errors'
import { Bm25Index } from './bm25'
import { CALL_TOOL_LISTING, SEARCH_TOOL_LISTING, SearchRequestSchema } from './meta-tools'
import { describeFound, type FoundTool } from './results'

export { CALL_TOOL_NAME, SEARCH_TOOL_NAME } from '../tool-names'
export { callTarget, type CallTarget } from './meta-tools'
export type { FoundTool } from './results'

/** What `tools/list` shows with tool search on: the pinned tools the caller may use, then the two. */
export function searchView(visible: readonly AnyToolDefinition[], config: ToolSearchConfig): ToolListing[] {
  const pinned = visible.filter((tool) => config.alwaysVisible.includes(tool.name))
  return [...pinned.map(toolListing), SEARCH_TOOL_LISTING, CALL_TOOL_LISTING]
}

/**
 * A search's answer: the found tools, best first. MCP sends them as 6.1 does (the text is the JSON
 * list, the structured content `{"result": [...]}`); plain HTTP answers `{"result": [...]}`. `count`
 * is what the audit trail records as rows returned.
 */
export class SearchResults {
  readonly result: FoundTool[]

  constructor(result: FoundTool[]) {
    this.result = result
  }

  get count(): number {
    return this.result.length
  }

  toJSON(): { result: FoundTool[] } {
    return { result: this.result }
  }
}

/** The query of a `search_tools` call (also accepted inside `request`, as every other tool's arguments). */
export function searchQuery(args: unknown): string {
  const parsed = SearchRequestSchema.safeParse(unwrapRequest(args))
  if (parsed.success) return parsed.data.query
  throw new GatewayError(
    'ValidationError',
    `Invalid request: search_tools takes {"query": "<what you want to do>"} (${parsed.error.issues
      .map((issue) => `${issue.path.join('.') || '(request)'}: ${issue.message}`)
      .join('; ')}).`,
  )
}

/**
 * The tools among `visible` (those the caller may use) that best match the query, at most
 * `maxResults`; the pinned tools are already listed and are not searched (as in FastMCP).
 */
export function searchTools(
  visible: readonly AnyToolDefinition[],
  query: string,
  config: ToolSearchConfig,
): SearchResults {
  const candidates = visible.filter((tool) => !config.alwaysVisible.includes(tool.name))
  const index = indexFor(candidates)
  const found = index.rank(query, config.maxResults).map((position) => candidates[position]!)
  return new SearchResults(found.map((tool) => describeFound(toolListing(tool), config.includeSchemas)))
}

/** Whether `name` is one of the two search tools while tool search is on. */
export function isSearchTool(name: string, config: ToolSearchConfig): boolean {
  return config.enabled && (name === SEARCH_TOOL_NAME || name === CALL_TOOL_NAME)
}

/**
 * What a tool is found by: its name (`list_charts` reads as "list charts"), its description and the
 * names of the fields of its request. 6.1 indexes the top-level parameters, which for its tools is the
 * one `request`; the fields inside are what a query names ("sql", "dashboard_id").
 */
function searchableText(tool: AnyToolDefinition): string {
  const request = (toolListing(tool).inputSchema.properties as Record<string, { properties?: object }>)
    .request
  return [tool.name, tool.description, ...Object.keys(request?.properties ?? {})].join(' ')
}

/** One index per set of visible tools (few: one per permission set), kept per isolate. */
const indexes = new Map<string, Bm25Index>()
const MAX_INDEXES = 64

function indexFor(tools: readonly AnyToolDefinition[]): Bm25Index {
  const key = tools.map((tool) => tool.name).join(' ')
  let index = indexes.get(key)
  if (index === undefined) {
    index = new Bm25Index(tools.map(searchableText))
    if (indexes.size >= MAX_INDEXES) indexes.delete(indexes.keys().next().value!)
    indexes.set(key, index)
  }
  return index
}
