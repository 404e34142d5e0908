/**
 * DNS rebinding, from the attacker's side: a page on evil.example.com whose name now points at the
 * gateway sends `Host: evil.example.com` (and its own Origin). Every such request is refused with 403
 * before anything else answers — no HTTPS redirect, no CORS grant, no 401 challenge, no /health report —
 * while the gateway's own names, and loopback in development, keep working (src/http/hosts.ts).
 */
import { describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config'
import { MCP_HEADERS } from '../helpers/mcp'
import { authEnv, devEnv, gatewayFetch, TestRealm } from '../helpers/tokens'

const ATTACKER = 'evil.example.com'
const GATEWAY = 'mcp.example.com'

const ping = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' })

/** The conformance suite's dns-rebinding-protection request: an initialize naming `host` as Host and Origin. */
const initialize = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: {
    protocolVersion: '2025-11-25',
    capabilities: {},
    clientInfo: { name: 'conformance-dns-rebinding-test', version: '1.0.0' },
  },
})

type Send = (input: string, init?: RequestInit) => Promise<Response>

function post(send: Send, url: string, headers: Record<string, string> = {}): Promise<Response> {
  return send(url, {
    method: 'POST',
    headers: { ...MCP_HEADERS, ...headers },
    body: ping,
    redirect: 'manual',
  })
}

async function expectHostRefused(response: Response, host: string): Promise<void> {
  expect(response.status).toBe(403)
  expect(response.headers.get('location')).toBeNull()
  expect(response.headers.get('access-control-allow-origin')).toBeNull()
  const body = (await response.json()) as any
  expect(body).toMatchObject({
    error_type: 'PermissionDeniedError',
    details: { reason: 'host_not_allowed', host },
  })
  expect(body.error).toBe(
    `Host ${host} is not served by this gateway. Call it by one of its host names (MCP_ALLOWED_HOSTS).`,
  )
}

describe('a foreign Host (development, nothing configured: loopback only)', () => {
  const send = gatewayFetch(devEnv())

  it('is refused with 403 before the HTTPS redirect, on /mcp and on every other route', async () => {
    await expectHostRefused(await post(send, `http://${ATTACKER}/mcp`), ATTACKER)
    await expectHostRefused(await post(send, `http://${ATTACKER}/tools/list_dashboards`), ATTACKER)
    for (const path of ['/health', '/metrics', '/.well-known/oauth-protected-resource/mcp', '/nope']) {
      await expectHostRefused(await send(`http://${ATTACKER}${path}`, { redirect: 'manual' }), ATTACKER)
      await expectHostRefused(await send(`https://${ATTACKER}${path}`), ATTACKER)
    }
    await expectHostRefused(
      await send(`http://${ATTACKER}/mcp`, {
        method: 'OPTIONS',
        headers: { origin: `http://${ATTACKER}`, 'access-control-request-method': 'POST' },
      }),
      ATTACKER,
    )
  })

  it('is refused when only the Host header names it, whatever the URL', async () => {
    const response = await post(send, 'http://127.0.0.1:8787/mcp', { host: ATTACKER })
    await expectHostRefused(response, ATTACKER)
  })

  it('answers the conformance suite’s dns-rebinding-protection requests: 403 to the rebinding initialize, 200 to the local one', async () => {
    const rebinding = await send('http://127.0.0.1:8787/mcp', {
      method: 'POST',
      headers: { ...MCP_HEADERS, host: ATTACKER, origin: `http://${ATTACKER}` },
      body: initialize,
      redirect: 'manual',
    })
    expect(rebinding.status).toBe(403)
    const local = await send('http://127.0.0.1:8787/mcp', {
      method: 'POST',
      headers: { ...MCP_HEADERS, host: '127.0.0.1:8787', origin: 'http://127.0.0.1:8787' },
      body: initialize,
    })
    expect(local.status).toBe(200)
  })

  it('is refused in any spelling: case, a trailing dot, a port, an address that is not loopback', async () => {
    await expectHostRefused(await post(send, 'http://EVIL.Example.COM/mcp'), ATTACKER)
    await expectHostRefused(await post(send, `http://${ATTACKER}./mcp`), ATTACKER)
    await expectHostRefused(await post(send, `http://${ATTACKER}:8787/mcp`), `${ATTACKER}:8787`)
    await expectHostRefused(await post(send, 'http://192.168.1.20:8787/mcp'), '192.168.1.20:8787')
    await expectHostRefused(await post(send, 'http://[2001:db8::1]/mcp'), '[2001:db8::1]')
    await expectHostRefused(
      await post(send, 'http://localhost.evil.example.com/mcp'),
      `localhost.${ATTACKER}`,
    )
  })

  it('lets every loopback form through, with any port, in any case, with a trailing dot', async () => {
    for (const host of [
      'localhost',
      'localhost:8787',
      '127.0.0.1',
      '127.0.0.1:8787',
      '[::1]',
      '[::1]:8787',
      '[0:0:0:0:0:0:0:1]:8787',
      'LocalHost:8787',
      'localhost.:8787',
      'tenant.localhost:8787',
    ]) {
      const response = await post(send, `http://${host}/mcp`)
      expect(response.status, host).toBe(200)
    }
  })
})

describe('MCP_ALLOWED_HOSTS', () => {
  const send = gatewayFetch(
    devEnv({ MCP_ALLOWED_HOSTS: `${GATEWAY}, Internal.Example.com:8443 [2001:db8::7]` }),
  )

  it('lets a listed host through (then plain http is redirected), any port when the entry names none', async () => {
    expect((await post(send, `https://${GATEWAY}/mcp`)).status).toBe(200)
    expect((await post(send, `https://${GATEWAY}:9443/mcp`)).status).toBe(200)
    const insecure = await post(send, `http://${GATEWAY}/mcp`)
    expect(insecure.status).toBe(308)
    expect(insecure.headers.get('location')).toBe(`https://${GATEWAY}/mcp`)
    await expectHostRefused(await post(send, `https://${ATTACKER}/mcp`), ATTACKER)
    await expectHostRefused(await post(send, `https://api.${GATEWAY}/mcp`), `api.${GATEWAY}`)
  })

  it('compares names without regard to case or a trailing dot', async () => {
    expect((await post(send, 'https://MCP.Example.COM/mcp')).status).toBe(200)
    expect((await post(send, `https://${GATEWAY}./mcp`)).status).toBe(200)
    expect((await post(send, 'https://internal.example.com.:8443/mcp')).status).toBe(200)
  })

  it('holds an entry with a port to that port (the scheme’s default when the request names none)', async () => {
    expect((await post(send, 'https://internal.example.com:8443/mcp')).status).toBe(200)
    await expectHostRefused(
      await post(send, 'https://internal.example.com:9443/mcp'),
      'internal.example.com:9443',
    )
    await expectHostRefused(await post(send, 'https://internal.example.com/mcp'), 'internal.example.com')
    const defaultPort = gatewayFetch(devEnv({ MCP_ALLOWED_HOSTS: `${GATEWAY}:443` }))
    expect((await post(defaultPort, `https://${GATEWAY}/mcp`)).status).toBe(200)
    await expectHostRefused(await post(defaultPort, `https://${GATEWAY}:8443/mcp`), `${GATEWAY}:8443`)
  })

  it('matches IPv6 addresses by value, not by spelling', async () => {
    expect((await post(send, 'https://[2001:db8::7]/mcp')).status).toBe(200)
    expect((await post(send, 'https://[2001:0DB8:0:0:0:0:0:7]:8443/mcp')).status).toBe(200)
    await expectHostRefused(await post(send, 'https://[2001:db8::8]/mcp'), '[2001:db8::8]')
  })

  it('keeps loopback open in development beside the list', async () => {
    expect((await post(send, 'http://127.0.0.1:8787/mcp')).status).toBe(200)
  })

  it('refuses an Origin that is neither listed nor one of the gateway’s hosts, even with an allowed Host', async () => {
    const foreign = await post(send, `https://${GATEWAY}/mcp`, { origin: `https://${ATTACKER}` })
    expect(foreign.status).toBe(403)
    expect(await foreign.json()).toMatchObject({
      error_type: 'PermissionDeniedError',
      details: { reason: 'origin_not_allowed' },
    })
    const own = await post(send, `https://${GATEWAY}/mcp`, { origin: `https://${GATEWAY}` })
    expect(own.status).toBe(200)
    expect(own.headers.get('access-control-allow-origin')).toBe(`https://${GATEWAY}`)
    const ownWithPort = await post(send, `https://${GATEWAY}/mcp`, {
      origin: 'https://internal.example.com:8443',
    })
    expect(ownWithPort.status).toBe(200)
    const otherPort = await post(send, `https://${GATEWAY}/mcp`, { origin: 'https://internal.example.com' })
    expect(otherPort.status).toBe(403)
    const opaque = await post(send, `https://${GATEWAY}/mcp`, { origin: 'null' })
    expect(opaque.status).toBe(403)
  })

  it('is a configuration error when an entry is a URL or a wildcard, not a host', () => {
    for (const entry of ['https://mcp.example.com', '*.example.com', '*', 'mcp.example.com/mcp', 'a:99999']) {
      const result = loadConfig({ ...devEnv(), MCP_ALLOWED_HOSTS: entry })
      expect(result.ok ? [] : result.problems, entry).toEqual([
        `MCP_ALLOWED_HOSTS: expected host names with an optional port (mcp.example.com, mcp.example.com:8443, [::1]), got "${entry}"`,
      ])
    }
  })
})

describe('production', () => {
  const realm = TestRealm.create('hosts')
  const audienceEnv = (overrides: Record<string, string> = {}) =>
    authEnv(realm, {
      MCP_ENVIRONMENT: 'production',
      MCP_JWT_AUDIENCE: `https://${GATEWAY}/mcp`,
      ...overrides,
    })

  it('without MCP_ALLOWED_HOSTS allows the audience’s host only: a foreign Host gets 403, not the 401 challenge', async () => {
    const send = gatewayFetch(audienceEnv())
    const own = await post(send, `https://${GATEWAY}/mcp`)
    expect(own.status).toBe(401)
    expect(own.headers.get('www-authenticate')).toContain(`https://${GATEWAY}/.well-known/`)
    await expectHostRefused(await post(send, `https://${ATTACKER}/mcp`), ATTACKER)
    await expectHostRefused(await post(send, 'http://127.0.0.1:8787/mcp'), '127.0.0.1:8787')
    await expectHostRefused(await send('http://localhost/health'), 'localhost')
    const health = (await (await send(`https://${GATEWAY}/health`)).json()) as any
    expect(health.checks.hosts).toEqual({ status: 'ok' })
  })

  it('with MCP_ALLOWED_HOSTS allows the listed hosts and the audience’s, no loopback', async () => {
    const send = gatewayFetch(audienceEnv({ MCP_ALLOWED_HOSTS: 'gateway.internal' }))
    expect((await post(send, 'https://gateway.internal/mcp')).status).toBe(401)
    expect((await post(send, `https://${GATEWAY}/mcp`)).status).toBe(401)
    await expectHostRefused(await post(send, 'https://localhost/mcp'), 'localhost')
  })

  it('with an audience that is no URL and no list, lets every Host through and says so in /health', async () => {
    const send = gatewayFetch(audienceEnv({ MCP_JWT_AUDIENCE: '0f3c2b7e-1d2a-4c5b-9e8f-7a6b5c4d3e2f' }))
    expect((await post(send, `https://${ATTACKER}/mcp`)).status).toBe(401)
    const health = (await (await send(`https://${ATTACKER}/health`)).json()) as any
    expect(health.status).toBe('degraded')
    expect(health.checks.hosts).toMatchObject({ status: 'warning' })
    expect(health.checks.hosts.message).toContain('MCP_ALLOWED_HOSTS')
    // Not a list of hosts: no Origin becomes the gateway's own through it.
    const browser = await post(send, `https://${ATTACKER}/mcp`, { origin: `https://${ATTACKER}` })
    expect(browser.status).toBe(403)
  })
})
