/**
 * The bare Worker (bare-worker.js) under its own `wrangler dev`, with the gateway's compatibility
 * date and flags, on another port: the same runtime and the same local proxy hop as the gateway, and
 * nothing else.
 */
import { spawn } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { stopProcess } from '../lib/stack.ts'
import { freePort } from '../lib/ports.ts'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

export interface BareWorker {
  url: string
  wranglerPid: number | undefined
  stop(): Promise<void>
}

/** The gateway's compatibility date (wrangler.toml), so both Workers run with the same runtime behaviour. */
export async function gatewayCompatibilityDate(): Promise<string> {
  const toml = await readFile(`${ROOT}wrangler.toml`, 'utf8')
  const date = /^compatibility_date\s*=\s*"([^"]+)"/m.exec(toml)?.[1]
  if (date === undefined) throw new Error('wrangler.toml has no compatibility_date')
  return date
}

export const BARE_CONFIG = `${ROOT}scripts/bench/wrangler.bare.toml`

/** `bundledScript`: the bare Worker built with buildBundle(…, BARE_CONFIG), run as is. */
export async function startBareWorker(
  port: number,
  persistTo: string,
  bundledScript?: string,
): Promise<BareWorker> {
  const child = spawn(
    process.execPath,
    [
      `${ROOT}node_modules/wrangler/bin/wrangler.js`,
      'dev',
      '--config',
      BARE_CONFIG,
      ...(bundledScript === undefined ? [] : [bundledScript, '--no-bundle']),
      '--compatibility-date',
      await gatewayCompatibilityDate(),
      '--port',
      String(port),
      // wrangler dev takes 9229 when it looks free: two starting at once would both take it.
      '--inspector-port',
      String(await freePort()),
      '--ip',
      '127.0.0.1',
      '--persist-to',
      persistTo,
      '--show-interactive-dev-session=false',
      '--log-level',
      'error',
    ],
    {
      cwd: ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
    },
  )
  let output = ''
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-4_000)
  }
  child.stdout.on('data', keep)
  child.stderr.on('data', keep)
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 30_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the bare worker's wrangler dev exited:\n${output}`)
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) })
      if (response.ok) break
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) {
      await stopProcess(child)
      throw new Error(`the bare worker did not answer within 30 s:\n${output}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  return { url, wranglerPid: child.pid, stop: () => stopProcess(child) }
}
