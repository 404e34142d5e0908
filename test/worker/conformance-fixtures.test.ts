/**
 * The conformance suite's fixtures (src/tools/conformance) exist only with MCP_CONFORMANCE_FIXTURES=true
 * (`npm run conformance`): without it they are not listed and cannot be called or read, and a production
 * configuration that sets it is refused as a whole (ConfigurationError) before any request runs.
 */
import { describe, expect, it } from 'vitest'
import { loadConfig, requireConfig } from '../../src/config'
import { readResourceAs, rpcAs, RpcError, toolNamesAs } from '../helpers/call-as'
import { BASE, modernRpc, rpc, rpcResult } from '../helpers/mcp'
import { AUDIENCE, devEnv, gatewayFetch } from '../helpers/tokens'

const ON = { MCP_CONFORMANCE_FIXTURES: 'true' }
const base = { DATABASE_URL: 'postgres://u@db:5432/superset', MCP_DEV_USERNAME: 'admin' }
/** What production needs besides (src/config: the key of confirmation states), so only the flag is wrong. */
const PRODUCTION = { MCP_ENVIRONMENT: 'production', MCP_CONFIRM_SECRET: 'k'.repeat(32) }

describe('MCP_CONFORMANCE_FIXTURES', () => {
  it('is off unless set, and may be set outside production', () => {
    expect(requireConfig({ ...base }).conformanceFixtures).toBe(false)
    expect(requireConfig({ ...base, ...ON }).conformanceFixtures).toBe(true)
    expect(requireConfig({ ...base, ...ON, MCP_ENVIRONMENT: 'staging' }).conformanceFixtures).toBe(true)
  })

  it('is refused with MCP_ENVIRONMENT=production, naming the variable', () => {
    const result = loadConfig({ ...base, ...ON, ...PRODUCTION })
    expect(result.ok).toBe(false)
    if (!result.ok)
      expect(result.problems).toEqual([expect.stringMatching(/^MCP_CONFORMANCE_FIXTURES: .*production/)])
    expect(requireConfig({ ...base, ...PRODUCTION, MCP_CONFORMANCE_FIXTURES: 'false' })).toBeDefined()
  })

  it('makes a production Worker answer ConfigurationError instead of serving anything', async () => {
    const production = devEnv({ ...ON, ...PRODUCTION, MCP_LOG_LEVEL: 'error' })
    const response = await gatewayFetch(production)(AUDIENCE, rpc('tools/list'))
    expect(response.status).toBe(500)
    const body = (await response.json()) as any
    expect(body.error_type).toBe('ConfigurationError')
    expect(JSON.stringify(body)).toContain('MCP_CONFORMANCE_FIXTURES')
    const health = await gatewayFetch(production)(`${BASE}/health`)
    expect(((await health.json()) as any).status).not.toBe('healthy')
  })
})

describe('the fixtures, without the flag', () => {
  it('are not listed: tools, resources, resource templates and prompts are the catalogue alone', async () => {
    const tools = await toolNamesAs('admin')
    expect(tools).toContain('health_check')
    expect(tools.filter((name) => name.startsWith('test_'))).toEqual([])
    const { resources } = await rpcAs('admin', 'resources/list')
    expect(
      resources.map((resource: any) => resource.uri).filter((uri: string) => uri.startsWith('test:')),
    ).toEqual([])
    const { prompts } = await rpcAs('admin', 'prompts/list')
    expect(
      prompts.map((prompt: any) => prompt.name).filter((name: string) => name.startsWith('test_')),
    ).toEqual([])
  })

  it('do not exist: a call is an unknown tool, a read an unknown resource, a prompt an unknown prompt', async () => {
    await expect(
      rpcAs('admin', 'tools/call', { name: 'test_simple_text', arguments: {} }),
    ).rejects.toMatchObject({
      code: -32602,
    })
    await expect(rpcAs('admin', 'resources/read', { uri: 'test://static-text' })).rejects.toBeInstanceOf(
      RpcError,
    )
    await expect(rpcAs('admin', 'resources/read', { uri: 'test://template/7/data' })).rejects.toBeInstanceOf(
      RpcError,
    )
    await expect(rpcAs('admin', 'prompts/get', { name: 'test_simple_prompt' })).rejects.toBeInstanceOf(
      RpcError,
    )
  })
})

describe('the fixtures, with the flag', () => {
  it('are listed beside the catalogue, and answer through the authenticated pipeline', async () => {
    const tools = await toolNamesAs('admin', ON)
    expect(tools).toEqual(expect.arrayContaining(['health_check', 'test_simple_text', 'test_error_handling']))
    const simple = await rpcAs('admin', 'tools/call', { name: 'test_simple_text', arguments: {} }, ON)
    expect(simple.isError).toBeFalsy()
    expect(JSON.stringify(simple.content)).toContain('This is a simple text response for testing.')
    const failing = await rpcAs('admin', 'tools/call', { name: 'test_error_handling', arguments: {} }, ON)
    expect(failing.isError).toBe(true)
    expect(JSON.stringify(failing.content)).toContain('This tool intentionally returns an error for testing')
  })

  it('read a listed resource and a member of the URI template with its variable', async () => {
    expect(await readResourceAs('admin', 'test://static-text', ON)).toBe(
      'This is the content of the static text resource.',
    )
    expect(JSON.parse(await readResourceAs('admin', 'test://template/7/data', ON))).toEqual({
      id: '7',
      templateTest: true,
      data: 'Data for ID: 7',
    })
  })

  it('render prompt arguments, and refuse a prompt without its required ones', async () => {
    const { messages } = await rpcAs(
      'admin',
      'prompts/get',
      { name: 'test_prompt_with_arguments', arguments: { arg1: 'hello', arg2: 'world' } },
      ON,
    )
    expect(messages[0].content.text).toBe("Prompt with arguments: arg1='hello', arg2='world'")
    await expect(
      rpcAs('admin', 'prompts/get', { name: 'test_prompt_with_arguments', arguments: { arg1: 'x' } }, ON),
    ).rejects.toBeInstanceOf(RpcError)
  })
})

describe('the input-required fixtures (2026-07-28), with the flag', () => {
  const fixtures = gatewayFetch(devEnv(ON))
  const ALL = { elicitation: {}, sampling: {}, roots: {} }
  const call = async (
    name: string,
    extra: Record<string, unknown> = {},
    capabilities: Record<string, unknown> = ALL,
  ) => {
    const response = await fixtures(
      `${BASE}/mcp`,
      modernRpc('tools/call', { name, arguments: {}, ...extra }, { capabilities }),
    )
    return { status: response.status, ...(await rpcResult(response)) } as {
      status: number
      result?: any
      error?: { code: number; data?: any }
    }
  }

  it('ask, then answer the retry that carries the answers; a wrong key is asked again', async () => {
    const asked = await call('test_input_required_result_elicitation')
    expect(asked.result.resultType).toBe('input_required')
    expect(asked.result.inputRequests.user_name.method).toBe('elicitation/create')
    const wrong = await call('test_input_required_result_elicitation', {
      inputResponses: { other: { action: 'accept', content: { name: 'Alice' } } },
    })
    expect(wrong.result.resultType).toBe('input_required')
    const answered = await call('test_input_required_result_elicitation', {
      inputResponses: { user_name: { action: 'accept', content: { name: 'Alice' } } },
    })
    expect(answered.result.content).toEqual([{ type: 'text', text: 'Hello, Alice!' }])
  })

  it('hand out a signed state that comes back to the tool, and refuse an altered one (-32602)', async () => {
    const first = await call('test_input_required_result_request_state')
    const state = first.result.requestState
    expect(state).toMatch(/^r1\./)
    const confirm = { confirm: { action: 'accept', content: { ok: true } } }
    const done = await call('test_input_required_result_request_state', {
      inputResponses: confirm,
      requestState: state,
    })
    expect(done.result.content[0].text).toContain('state-ok')
    const tampered = await call('test_input_required_result_request_state', {
      inputResponses: confirm,
      requestState: `${state}-TAMPERED`,
    })
    expect(tampered.error?.code).toBe(-32602)
  })

  it('ask only for what the request declares, and a question it did not declare is -32021 (HTTP 400)', async () => {
    const sampling = await call('test_input_required_result_capabilities', {}, { sampling: {} })
    expect(Object.values(sampling.result.inputRequests).map((request: any) => request.method)).toEqual([
      'sampling/createMessage',
    ])
    const missing = await call('test_missing_capability', {}, {})
    expect(missing.status).toBe(400)
    expect(missing.error?.code).toBe(-32021)
    expect(missing.error?.data?.requiredCapabilities).toEqual({ sampling: {} })
  })

  it('ask on prompts/get too, then render with the answer', async () => {
    const get = async (extra: Record<string, unknown> = {}) =>
      rpcResult(
        await fixtures(
          `${BASE}/mcp`,
          modernRpc(
            'prompts/get',
            { name: 'test_input_required_result_prompt', ...extra },
            { capabilities: ALL },
          ),
        ),
      ) as Promise<{ result?: any }>
    const asked = await get()
    expect(asked.result.resultType).toBe('input_required')
    expect(asked.result.inputRequests.user_context.method).toBe('elicitation/create')
    const rendered = await get({
      inputResponses: { user_context: { action: 'accept', content: { context: 'sales' } } },
    })
    expect(rendered.result.messages[0].content.text).toBe('Use this context: sales')
  })

  it('cannot ask on the 2025 era: the call fails instead', async () => {
    const result = await rpcAs(
      'admin',
      'tools/call',
      { name: 'test_input_required_result_elicitation', arguments: {} },
      ON,
    )
    expect(result.isError).toBe(true)
    expect(JSON.stringify(result.content)).toContain('2026-07-28')
  })
})
