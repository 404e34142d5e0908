/**
 * A token printed by one `npm start` keeps working after a restart: the local issuer keeps its port and
 * signing key in the data directory (scripts/lib/dev-idp.ts), and only a fresh start replaces them.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { freePort } from '../../scripts/lib/ports.ts'
import { startStack, type Stack } from '../../scripts/lib/stack.ts'

const cleanups: (() => Promise<unknown>)[] = []
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined)
})

async function listDashboards(stack: Stack, token: string): Promise<number> {
  const response = await fetch(`${stack.url}/tools/list_dashboards`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: '{"request": {"page_size": 1}}',
  })
  await response.arrayBuffer()
  return response.status
}

describe('the local issuer across restarts', () => {
  it('verifies a token from the previous start, and not after its key is thrown away', async () => {
    const keep = await mkdtemp(join(tmpdir(), 'mcp-issuer-'))
    cleanups.push(() => rm(keep, { recursive: true, force: true }))
    const port = await freePort()
    const options = {
      port,
      authStateDir: keep,
      inspectorPort: 0,
      env: { ...process.env, MCP_LOG_LEVEL: 'error' },
    }
    const first = await startStack({ ...options, inspectorPort: await freePort() })
    cleanups.push(() => first.stop())
    const token = await first.auth.mintToken!({ user: 'admin', ttl: 3_600 })
    expect(await listDashboards(first, token)).toBe(200)
    const issuer = first.auth.issuer
    await first.stop()

    const second = await startStack({ ...options, inspectorPort: await freePort() })
    cleanups.push(() => second.stop())
    expect(second.auth.issuer).toBe(issuer)
    expect(await listDashboards(second, token)).toBe(200)
    await second.stop()

    await rm(keep, { recursive: true, force: true })
    const fresh = await startStack({ ...options, inspectorPort: await freePort() })
    cleanups.push(() => fresh.stop())
    expect(await listDashboards(fresh, token)).toBe(401)
    await fresh.stop()
  })
})
