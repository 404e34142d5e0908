/** The gateway's log lines as `npm start` shows them (scripts/lib/log-lines.ts). */
import { describe, expect, it } from 'vitest'
import { formatLogLine } from '../../scripts/lib/log-lines.ts'

const request = JSON.stringify({
  time: '2026-12-02T11:12:45.540Z',
  level: 'info',
  event: 'request',
  method: 'POST',
  path: '/tools/list_dashboards',
  status: 200,
  duration_ms: 40,
  user_id: 1,
  tools: ['list_dashboards'],
  rpc_methods: [],
  error_type: null,
  cache_status: 'hit',
  auth_failure: null,
})
const warning = JSON.stringify({
  time: '2026-12-02T11:12:46.000Z',
  level: 'warn',
  event: 'db_error',
  database: 'x',
})
const toolCall = JSON.stringify({
  time: '2026-12-02T11:12:46.000Z',
  level: 'info',
  event: 'tool_call',
  tool: 'a',
})

describe('npm start log lines', () => {
  it('turns a request line into one readable line, and an event into level, event and fields', () => {
    expect(formatLogLine(request, 'pretty')).toBe(
      '11:12:45  200  POST /tools/list_dashboards list_dashboards  user 1  40 ms  cache hit',
    )
    expect(formatLogLine(warning, 'pretty')).toBe('11:12:46  warn  db_error  database=x')
    expect(formatLogLine(toolCall, 'pretty')).toBeUndefined()
  })

  it('keeps JSON as it is with --log-format json, and only warnings and errors with --quiet', () => {
    expect(formatLogLine(request, 'json')).toBe(request)
    expect(formatLogLine(request, 'quiet')).toBeUndefined()
    expect(formatLogLine(warning, 'quiet')).toBe('11:12:46  warn  db_error  database=x')
  })

  it("drops wrangler's repeats and set-up table, and passes its other lines through", () => {
    expect(
      formatLogLine('[wrangler:info] POST /tools/list_dashboards 200 OK (57ms)', 'pretty'),
    ).toBeUndefined()
    expect(
      formatLogLine('env.MCP_ENVIRONMENT ("development")   Environment Variable   local', 'pretty'),
    ).toBeUndefined()
    expect(formatLogLine('✘ [ERROR] Build failed', 'pretty')).toBe('[wrangler] ✘ [ERROR] Build failed')
  })
})
