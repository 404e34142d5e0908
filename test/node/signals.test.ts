/**
 * `npm start` stops everything it started whenever it is told to — SIGTERM to npm (an IDE's stop button,
 * a process manager), SIGINT or SIGHUP to its process group, at any moment of the start — and refuses to
 * start beside a stack that holds its port or its data directory, naming the holder.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { createConnection } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { freePort } from '../../scripts/lib/ports.ts'
import { eventually } from '../helpers/eventually.ts'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const cleanups: (() => Promise<unknown>)[] = []
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined)
})

interface Started {
  child: ChildProcess
  port: number
  dataDir: string
  output: () => string
}

async function npmStart(port: number, dataDir: string): Promise<Started> {
  const child = spawn('npm', ['start', '--', '--data-dir', dataDir], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), DATABASE_URL: '', MCP_LOG_LEVEL: 'error' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  let output = ''
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  cleanups.push(async () => killEverything(dataDir))
  return { child, port, dataDir, output: () => output }
}

async function fresh(): Promise<{ port: number; dataDir: string }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'mcp-signals-'))
  cleanups.push(() => rm(dataDir, { recursive: true, force: true }))
  return { port: await freePort(), dataDir }
}

/** Processes whose command line names the data directory, the stack's wrangler env file or its workerd socket. */
async function leftovers(started: Pick<Started, 'port' | 'dataDir'>): Promise<string[]> {
  const found: string[] = []
  for (const pid of (await readdir('/proc')).filter((name) => /^\d+$/.test(name))) {
    const command = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).replaceAll('\0', ' ')
    if (
      command.includes(started.dataDir) ||
      command.includes(`local-stack-${started.port}.env`) ||
      command.includes(`entry=127.0.0.1:${started.port} `)
    ) {
      found.push(`${pid} ${command}`)
    }
  }
  return found
}

async function killEverything(dataDir: string): Promise<void> {
  for (const pid of (await readdir('/proc')).filter((name) => /^\d+$/.test(name))) {
    const command = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')
    if (command.includes(dataDir)) {
      try {
        process.kill(Number(pid), 'SIGKILL')
      } catch {
        // gone
      }
    }
  }
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' })
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

async function expectAllGone(started: Started): Promise<void> {
  await eventually(
    async () => {
      expect(await leftovers(started)).toEqual([])
      expect(await listening(started.port)).toBe(false)
    },
    { timeout: 30_000, interval: 250 },
  )
}

const ready = (started: Started) =>
  eventually(() => expect(started.output()).toContain('Press Ctrl-C to stop'), {
    timeout: 90_000,
    interval: 200,
  })

describe('npm start stops everything it started', () => {
  it('on SIGTERM to npm once it is ready (npm itself does not pass it on)', async () => {
    const { port, dataDir } = await fresh()
    const started = await npmStart(port, dataDir)
    await ready(started)
    process.kill(started.child.pid!, 'SIGTERM')
    await expectAllGone(started)
  })

  // Moments of the start, told by what it has printed so far (a fixed delay lands in a different one on
  // every machine): the embedded databases starting and being seeded, wrangler starting, workerd loading
  // the Worker until /health answers.
  it.each([
    ['SIGINT', 'while the databases start', /\[start\] starting embedded Postgres/],
    ['SIGTERM', 'as wrangler starts', /\[wrangler\]/],
    ['SIGHUP', 'while workerd loads the Worker', /\[wrangler\] Using secrets defined in/],
  ] as const)('on %s to its process group %s', async (signal, _moment, printed) => {
    const { port, dataDir } = await fresh()
    const started = await npmStart(port, dataDir)
    await eventually(() => printed.test(started.output()), { timeout: 90_000, interval: 20 })
    expect(started.output()).not.toContain('Press Ctrl-C to stop')
    process.kill(-started.child.pid!, signal)
    await expectAllGone(started)
  })
})

describe('npm start refuses to share', () => {
  it('a port another stack answers on, and a data directory another stack holds', async () => {
    const { port, dataDir } = await fresh()
    const first = await npmStart(port, dataDir)
    await ready(first)
    const other = await fresh()
    const samePort = await npmStart(port, other.dataDir)
    await eventually(() => expect(samePort.child.exitCode).toBe(1), { timeout: 30_000, interval: 200 })
    expect(samePort.output()).toMatch(
      new RegExp(`port ${port} \\(the gateway\\) is already in use by pid \\d+`),
    )
    const sameData = await npmStart(await freePort(), dataDir)
    await eventually(() => expect(sameData.child.exitCode).toBe(1), { timeout: 30_000, interval: 200 })
    expect(sameData.output()).toMatch(/the embedded database .* is in use by pid \d+/)
    process.kill(-first.child.pid!, 'SIGTERM')
    await expectAllGone(first)
  })
})
