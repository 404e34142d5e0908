/**
 * The smoke test the runner cannot fake: `npm start` for real (PGlite, the bridge, wrangler dev and
 * workerd, where code generation is forbidden), driven over HTTP by the MCP SDK client.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { request } from 'node:http'
import { fileURLToPath } from 'node:url'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort } from '../../scripts/lib/ports.ts'
import { eventually } from '../helpers/eventually.ts'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

function waitForOutput(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = ''
    const timer = setTimeout(
      () => reject(new Error(`not ready within ${timeoutMs} ms:\n${output}`)),
      timeoutMs,
    )
    const onData = (chunk: Buffer): void => {
      output += chunk.toString()
      if (pattern.test(output)) {
        clearTimeout(timer)
        resolve(output)
      }
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', onData)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`npm start exited early (${code}):\n${output}`))
    })
  })
}

/** `npm run token -- …` against the running stack; resolves to the token it printed. */
async function runTokenCommand(args: string[]): Promise<string> {
  return (await runTokenCommandFully(args)).stdout
}

/** `npm run token -- …`: what it printed on stdout (the token) and stderr (warnings). */
function runTokenCommandFully(args: string[]): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', 'token', '--', ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.once('exit', (code) =>
      code === 0
        ? resolve({ stdout: stdout.trim(), stderr })
        : reject(new Error(`npm run token exited ${code}: ${stderr}`)),
    )
  })
}

/**
 * A POST through node:http, which sends the Host header it is given (fetch would name the URL's host):
 * what a DNS-rebinding page's browser sends to the loopback port.
 */
function postWithHost(
  port: number,
  host: string,
  path: string,
  body: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        headers: {
          host,
          origin: `http://${host}`,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
        },
      },
      (response) => {
        let text = ''
        response.on('data', (chunk: Buffer) => (text += chunk.toString()))
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }))
      },
    )
    outgoing.once('error', reject)
    outgoing.end(body)
  })
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0)
    return true
  } catch {
    return false
  }
}

describe('npm start', () => {
  let child: ChildProcess
  let port: number
  let banner: string
  /** Everything npm start printed so far. */
  let terminal = ''

  beforeAll(async () => {
    port = await freePort()
    child = spawn('npm', ['start', '--', '--in-memory'], {
      cwd: ROOT,
      env: { ...process.env, PORT: String(port), DATABASE_URL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    })
    child.stdout?.on('data', (chunk: Buffer) => (terminal += chunk.toString()))
    child.stderr?.on('data', (chunk: Buffer) => (terminal += chunk.toString()))
    banner = await waitForOutput(child, /Press Ctrl-C to stop/, 60_000)
  })

  afterAll(async () => {
    if (child.exitCode === null && child.pid !== undefined) {
      try {
        process.kill(-child.pid, 'SIGTERM')
      } catch {
        // already gone
      }
    }
  })

  /** The bearer token npm start printed for the demo admin (from its local identity provider). */
  function printedToken(): string {
    const token = /Authorization: Bearer (\S+)/.exec(banner)?.[1]
    if (token === undefined) throw new Error(`no token in the banner:\n${banner}`)
    return token
  }

  it('prints the MCP URL, a bearer token and a client snippet carrying it', () => {
    expect(banner).toContain(`http://127.0.0.1:${port}/mcp`)
    expect(banner).toContain('"mcpServers"')
    expect(printedToken()).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/)
    expect(banner).toContain(`"Authorization": "Bearer ${printedToken()}"`)
  })

  it('refuses a request without a token with 401 and points to the metadata document', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/tools/list_dashboards`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"request": {}}',
    })
    expect(response.status).toBe(401)
    const challenge = response.headers.get('www-authenticate') ?? ''
    const metadataUrl = /resource_metadata="([^"]+)"/.exec(challenge)?.[1]
    expect(metadataUrl).toBe(`http://127.0.0.1:${port}/.well-known/oauth-protected-resource/mcp`)
    const metadata = (await (await fetch(metadataUrl!)).json()) as {
      resource: string
      authorization_servers: string[]
    }
    expect(metadata.resource).toBe(`http://127.0.0.1:${port}/mcp`)
    const openid = await fetch(`${metadata.authorization_servers[0]}/.well-known/openid-configuration`)
    expect(((await openid.json()) as { issuer: string }).issuer).toBe(metadata.authorization_servers[0])
  })

  it('refuses a DNS-rebinding Host with 403 through wrangler dev, which passes the Host on as sent', async () => {
    const ping = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' })
    const rebinding = await postWithHost(port, 'evil.example.com', '/mcp', ping)
    expect(rebinding.status).toBe(403)
    expect(JSON.parse(rebinding.body)).toMatchObject({
      error_type: 'PermissionDeniedError',
      details: { reason: 'host_not_allowed', host: 'evil.example.com' },
    })
    // The gateway's own names get as far as authentication.
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`]) {
      expect((await postWithHost(port, host, '/mcp', ping)).status, host).toBe(401)
    }
  })

  it('serves MCP to a real client with the printed token: 6.1’s tool-search view, and list_dashboards from Postgres', async () => {
    const client = new Client({ name: 'smoke', version: '1.0.0' })
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`), {
        requestInit: { headers: { authorization: `Bearer ${printedToken()}` } },
      }),
    )
    // npm start runs at Superset 6.1's default, tool search on: the two search tools and the pinned ones.
    const { tools } = await client.listTools()
    expect(tools.map((tool) => tool.name).sort()).toEqual([
      'call_tool',
      'get_instance_info',
      'health_check',
      'search_tools',
    ])
    const found = await client.callTool({ name: 'search_tools', arguments: { query: 'list dashboards' } })
    expect(JSON.parse((found.content as { text: string }[])[0]!.text)).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'list_dashboards' })]),
    )
    // A tool found by search is called by its own name, as always.
    const result = await client.callTool({
      name: 'list_dashboards',
      arguments: { request: { page_size: 100 } },
    })
    expect(result.isError).toBeFalsy()
    const titles = (result.structuredContent as { dashboards: { dashboard_title: string }[] }).dashboards.map(
      (dashboard) => dashboard.dashboard_title,
    )
    expect(titles).toHaveLength(9)
    await client.close()
  })

  it('mints tokens for other users with npm run token, and the gateway acts as them', async () => {
    const token = await runTokenCommand(['--user', 'bob', '--port', String(port)])
    const response = await fetch(`http://127.0.0.1:${port}/tools/list_dashboards`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ request: { page_size: 100, select_columns: ['id'] } }),
    })
    expect(response.status).toBe(200)
    const ids = ((await response.json()) as { dashboards: { id: number }[] }).dashboards.map((d) => d.id)
    expect(ids.sort((a, b) => a - b)).toEqual([1, 3, 5, 7])
  })

  it('says so when it mints a token the gateway will refuse (a user Superset does not know)', async () => {
    const unknown = await runTokenCommandFully(['--user', 'nobody-here', '--port', String(port)])
    expect(unknown.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/)
    expect(unknown.stderr).toMatch(/warning: the gateway on port \d+ refuses this token \(403\)/)
    const known = await runTokenCommandFully(['--user', 'bob', '--port', String(port)])
    expect(known.stderr).not.toContain('warning')
  })

  it("checks SQL with PostgreSQL's own parser inside workerd, and runs analytics as the least-privilege role", async () => {
    const call = async (tool: string, request: unknown) => {
      const response = await fetch(`http://127.0.0.1:${port}/tools/${tool}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${printedToken()}` },
        body: JSON.stringify({ request }),
      })
      return { status: response.status, body: (await response.json()) as any }
    }
    const parsed = await call('execute_sql', { database_id: 1, sql: 'SELECT lower($$A;B$$) AS s' })
    expect(parsed).toMatchObject({ status: 200, body: { success: true, rows: [{ s: 'a;b' }] } })
    // The role is /health's to say (below); SQL may not ask the connection who it is.
    // Refusals are execute_sql's in-band failures, as Superset 6.1 answers them (success: false).
    const identity = await call('execute_sql', { database_id: 1, sql: 'SELECT current_user' })
    expect(identity).toMatchObject({ status: 200, body: { success: false, error_type: 'failed' } })
    expect(identity.body.error).toContain('CURRENT_USER is not allowed')
    const refused = await call('execute_sql', { database_id: 1, sql: "SELECT * FROM ts_stat('SELECT 1')" })
    expect(refused).toMatchObject({ status: 200, body: { success: false, error_type: 'failed' } })
    expect(refused.body.error).toContain('ts_stat() is not allowed')
    const data = await call('get_chart_data', { identifier: 2 })
    expect(data.status).toBe(200)
    const uptime = await call('health_check', {})
    expect(uptime.body.uptime_seconds).toBeGreaterThanOrEqual(0)
    expect(uptime.body.uptime_seconds).toBeLessThan(3_600)
    const health = (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as any
    expect(health.checks.analytics.databases.examples).toMatchObject({
      role: 'mcp_analyst',
      privileged: false,
    })
  })

  it("shows one readable line per call in the terminal, and none of wrangler's repeats", async () => {
    await eventually(
      () =>
        expect(terminal).toMatch(
          /\d\d:\d\d:\d\d {2}200 {2}POST \/tools\/list_dashboards list_dashboards {2}user 3 {2}\d+ ms/,
        ),
      { timeout: 10_000, interval: 100 },
    )
    expect(terminal).toMatch(
      /\d\d:\d\d:\d\d {2}200 {2}POST \/tools\/execute_sql execute_sql {2}user 1 {2}\d+ ms {2}PermissionDeniedError/,
    )
    expect(terminal).not.toMatch(/\[wrangler:info\] POST /)
    expect(terminal).not.toContain('"event":"request"')
  })

  it('stops everything it started on SIGTERM', async () => {
    process.kill(-child.pid!, 'SIGTERM')
    // npm, the start script, wrangler and workerd share the process group: all of it must be gone.
    await eventually(() => expect(groupAlive(child.pid!)).toBe(false), { timeout: 15_000, interval: 200 })
    await expect(
      fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2_000) }),
    ).rejects.toThrow()
  })
})
