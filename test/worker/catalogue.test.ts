/**
 * What tools/list costs an agent: every tool's schemas within a budget (on average 2.5 KB per tool,
 * design: issue 17), and none of the constructs strict clients warn about or reject.
 */
import { describe, expect, it } from 'vitest'
import { callAs, rpcAs } from '../helpers/call-as'

const SEARCH_OFF = { MCP_TOOL_SEARCH_ENABLED: 'false' }

async function catalogue(
  user: string,
): Promise<{ name: string; inputSchema: unknown; outputSchema?: unknown }[]> {
  const { tools } = await rpcAs(user, 'tools/list', {}, SEARCH_OFF)
  return tools
}

describe('tools/list', () => {
  it('fits the budget for the admin, who sees every tool', async () => {
    const tools = await catalogue('admin')
    expect(tools.length).toBeGreaterThanOrEqual(24)
    expect(JSON.stringify(tools).length).toBeLessThanOrEqual(2_500 * tools.length)
  })

  it('has no ±2^53 bounds, type arrays, bare additionalProperties or string-only propertyNames', async () => {
    const text = JSON.stringify(await catalogue('admin'))
    expect(text).not.toContain(String(Number.MAX_SAFE_INTEGER))
    expect(text).not.toMatch(/"type":\[/)
    expect(text).not.toContain('"additionalProperties":{}')
    expect(text).not.toContain('"propertyNames":{"type":"string"}')
  })

  it('has no schema that constrains nothing (MCP Inspector --strict: "no validation keyword")', async () => {
    const bare: string[] = []
    for (const tool of await catalogue('admin')) {
      const { inputSchema, outputSchema } = tool as { inputSchema: unknown; outputSchema?: unknown }
      bareSchemas(inputSchema, `${tool.name}.inputSchema`, bare)
      if (outputSchema !== undefined) bareSchemas(outputSchema, `${tool.name}.outputSchema`, bare)
    }
    expect(bare).toEqual([])
  })

  it('advertises a chart config by its chart_type, pointing to get_chart_type_schema', async () => {
    const tools = await catalogue('admin')
    const generate = tools.find((tool) => tool.name === 'generate_chart') as any
    const config = generate.inputSchema.properties.request.properties.config
    expect(config.required).toEqual(['chart_type'])
    expect(config.properties.chart_type.enum).toContain('xy')
    expect(config.description).toContain('get_chart_type_schema')
    // The full schema is still what a call is held to.
    await expect(
      callAs('admin', 'generate_chart', {
        dataset_id: 1,
        config: { chart_type: 'xy', x: { name: 'order_date' }, y: 'not a list' },
      }),
    ).rejects.toMatchObject({ type: 'ValidationError' })
  })
})

describe('tools/list with tool search (the default, as in Superset 6.1)', () => {
  it('is the small view an agent starts from: within 8 KB', async () => {
    const { tools } = await rpcAs('admin', 'tools/list', {}, { MCP_TOOL_SEARCH_ENABLED: 'true' })
    expect(tools.map((tool: { name: string }) => tool.name).sort()).toEqual([
      'call_tool',
      'get_instance_info',
      'health_check',
      'search_tools',
    ])
    expect(JSON.stringify(tools).length).toBeLessThanOrEqual(8_000)
  })
})

const VALIDATION_KEYWORDS = ['type', 'enum', 'const', 'anyOf', 'oneOf', 'allOf', '$ref', 'not', 'properties']

/** The paths of schemas in `schema` that carry no validation keyword (they accept any value). */
function bareSchemas(schema: unknown, path: string, found: string[]): void {
  if (typeof schema !== 'object' || schema === null) return
  const node = schema as Record<string, unknown>
  if (!VALIDATION_KEYWORDS.some((keyword) => keyword in node)) found.push(path)
  for (const [key, value] of Object.entries((node.properties as Record<string, unknown>) ?? {}))
    bareSchemas(value, `${path}.properties.${key}`, found)
  for (const keyword of ['anyOf', 'oneOf', 'allOf', 'prefixItems'])
    (Array.isArray(node[keyword]) ? (node[keyword] as unknown[]) : []).forEach((item, index) =>
      bareSchemas(item, `${path}.${keyword}[${index}]`, found),
    )
  for (const keyword of ['items', 'additionalProperties', 'not'])
    if (typeof node[keyword] === 'object') bareSchemas(node[keyword], `${path}.${keyword}`, found)
}
