import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { connectClient } from '../helpers/mcp'

describe('MCP over Streamable HTTP with the SDK client', () => {
  let client: Client

  beforeAll(async () => {
    client = await connectClient()
  })
  afterAll(async () => {
    await client.close()
  })

  it('negotiates the latest protocol and names the server', () => {
    expect(client.getServerVersion()).toMatchObject({ name: 'superset-mcp-gateway' })
    expect(client.getInstructions()).toContain('"request"')
  })

  it('lists tools with input and output schemas and annotations', async () => {
    const { tools } = await client.listTools()
    const names = tools.map((tool) => tool.name)
    expect(names).toEqual(
      expect.arrayContaining(['health_check', 'get_instance_info', 'list_dashboards', 'get_dashboard_info']),
    )
    const list = tools.find((tool) => tool.name === 'list_dashboards')!
    expect(list.inputSchema).toMatchObject({ type: 'object', properties: { request: { type: 'object' } } })
    const request = (list.inputSchema.properties as any).request
    expect(request.properties.page_size).toMatchObject({ type: 'integer', maximum: 100, default: 10 })
    expect(list.outputSchema).toMatchObject({ type: 'object' })
    expect(list.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false })
  })

  it('calls list_dashboards and returns structured content that matches the output schema', async () => {
    const result = await client.callTool({
      name: 'list_dashboards',
      arguments: { request: { page_size: 3 } },
    })
    expect(result.isError).toBeFalsy()
    const content = result.structuredContent as any
    expect(content.dashboards).toHaveLength(3)
    expect(content.page).toBe(1)
    expect(content.total_count).toBeGreaterThanOrEqual(7)
    expect(JSON.parse((result.content as any)[0].text)).toEqual(content)
  })

  it('accepts flattened arguments and a JSON-string request', async () => {
    const flat = await client.callTool({ name: 'list_dashboards', arguments: { page_size: 1 } })
    expect((flat.structuredContent as any).dashboards).toHaveLength(1)
    const text = await client.callTool({
      name: 'list_dashboards',
      arguments: { request: '{"page_size": 2}' },
    })
    expect((text.structuredContent as any).dashboards).toHaveLength(2)
  })

  it('returns bad arguments as an isError result with the gateway error shape', async () => {
    // Unknown keys are ignored, as Superset 6.1 ignores them (test/worker/contract-requests.test.ts).
    for (const request of [{ page_size: 0 }, { page_size: 1000 }, { page: 'x' }, { order_direction: 'up' }]) {
      const result = await client.callTool({ name: 'list_dashboards', arguments: { request } })
      expect(result.isError).toBe(true)
      expect(result.structuredContent).toMatchObject({ error_type: 'ValidationError' })
      expect((result.content as any)[0].text).toMatch(/Invalid request/)
    }
  })

  it('answers an unknown tool with a protocol error (-32602)', async () => {
    await expect(client.callTool({ name: 'no_such_tool', arguments: {} })).rejects.toMatchObject({
      code: -32602,
    })
  })

  it('runs health_check and get_instance_info', async () => {
    const health = await client.callTool({ name: 'health_check', arguments: {} })
    expect(health.structuredContent).toMatchObject({ status: 'healthy', service: 'Superset MCP Gateway' })
    const info = await client.callTool({ name: 'get_instance_info', arguments: { request: {} } })
    const content = info.structuredContent as any
    expect(content.current_user).toMatchObject({ username: 'admin', roles: ['Admin'] })
    expect(content.instance_summary.total_dashboards).toBeGreaterThanOrEqual(7)
  })
})
