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
