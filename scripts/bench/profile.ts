/**
 * A CPU profile of the Worker inside workerd, through wrangler dev's inspector (Chrome DevTools
 * protocol): start the profiler, run some load, stop, and summarise where the time went by function
 * (self time) and by source file. Used to find hot spots: `npm run bench -- --profile <scenario>`.
 */
import { createRequire } from 'node:module'
import type * as WsModule from 'ws'

const { WebSocket } = createRequire(import.meta.url)('ws') as typeof WsModule

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number }
  hitCount?: number
  children?: number[]
}

export interface CpuProfile {
  nodes: ProfileNode[]
  startTime: number
  endTime: number
  samples?: number[]
  timeDeltas?: number[]
}

export interface ProfileSummary {
  /** Profiled wall time (ms). */
  durationMs: number
  /** Share of samples that were not idle. */
  busyShare: number
  /** Functions by self time, most first. */
  functions: { name: string; location: string; selfMs: number; share: number }[]
  /** Bundled modules (by the package or src/ path in the source map comments) by self time. */
  files: { file: string; selfMs: number; share: number }[]
}

export class Inspector {
  readonly #socket: WsModule.WebSocket
  #id = 0
  readonly #pending = new Map<number, { resolve: (value: unknown) => void; reject: (err: Error) => void }>()

  private constructor(socket: WsModule.WebSocket) {
    this.#socket = socket
    socket.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString()) as {
        id?: number
        result?: unknown
        error?: { message: string }
      }
      if (message.id === undefined) return
      const waiter = this.#pending.get(message.id)
      this.#pending.delete(message.id)
      if (message.error !== undefined) waiter?.reject(new Error(message.error.message))
      else waiter?.resolve(message.result)
    })
  }

  static async connect(port: number): Promise<Inspector> {
    const targets = (await (await fetch(`http://127.0.0.1:${port}/json`)).json()) as {
      webSocketDebuggerUrl: string
    }[]
    const url = targets[0]?.webSocketDebuggerUrl
    if (url === undefined) throw new Error(`no inspector target on port ${port}`)
    const socket = new WebSocket(url.replace('localhost', '127.0.0.1'))
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve())
      socket.once('error', reject)
    })
    return new Inspector(socket)
  }

  send<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const id = ++this.#id
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (value: unknown) => void, reject })
      this.#socket.send(JSON.stringify({ id, method, params }))
    })
  }

  close(): void {
    this.#socket.close()
  }
}

/** Profiles the Worker while `work` runs. */
export async function profileWhile(inspectorPort: number, work: () => Promise<unknown>): Promise<CpuProfile> {
  const inspector = await Inspector.connect(inspectorPort)
  try {
    await inspector.send('Profiler.enable')
    await inspector.send('Profiler.setSamplingInterval', { interval: 200 })
    await inspector.send('Profiler.start')
    await work()
    const { profile } = await inspector.send<{ profile: CpuProfile }>('Profiler.stop')
    return profile
  } finally {
    inspector.close()
  }
}

/** Self time per function and per source file. `sourceOf` maps a bundle line to its original file. */
export function summarise(
  profile: CpuProfile,
  sourceOf: (line: number) => string = () => '',
): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const self = new Map<number, number>()
  const samples = profile.samples ?? []
  const deltas = profile.timeDeltas ?? []
  for (let i = 0; i < samples.length; i++) {
    const id = samples[i]!
    self.set(id, (self.get(id) ?? 0) + (deltas[i] ?? 0) / 1000)
  }
  const durationMs = (profile.endTime - profile.startTime) / 1000
  const functions = new Map<string, { name: string; location: string; selfMs: number }>()
  const files = new Map<string, number>()
  let idle = 0
  for (const [id, ms] of self) {
    const frame = byId.get(id)?.callFrame
    if (frame === undefined) continue
    const name = frame.functionName || '(anonymous)'
    if (name === '(idle)' || name === '(program)') {
      if (name === '(idle)') idle += ms
    }
    const file = frame.url === '' ? name : sourceOf(frame.lineNumber + 1) || frame.url
    const location = `${file}:${frame.lineNumber + 1}`
    const key = `${name}@${location}`
    const entry = functions.get(key) ?? { name, location, selfMs: 0 }
    entry.selfMs += ms
    functions.set(key, entry)
    files.set(file, (files.get(file) ?? 0) + ms)
  }
  const busy = Math.max(1e-9, durationMs - idle)
  return {
    durationMs,
    busyShare: busy / durationMs,
    functions: [...functions.values()]
      .filter((entry) => entry.name !== '(idle)')
      .sort((a, b) => b.selfMs - a.selfMs)
      .slice(0, 40)
      .map((entry) => ({ ...entry, share: entry.selfMs / busy })),
    files: [...files.entries()]
      .filter(([file]) => file !== '(idle)')
      .sort((a, b) => b[1] - a[1])
      .slice(0, 30)
      .map(([file, selfMs]) => ({ file, selfMs, share: selfMs / busy })),
  }
}

/**
 * esbuild's bundle marks each module with a `// <path>` comment line: map every bundle line to the
 * module it came from.
 */
export function bundleModules(bundleText: string): (line: number) => string {
  const starts: { line: number; file: string }[] = []
  const lines = bundleText.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const match = /^\/\/ (\S+\.(?:[cm]?[jt]s|json))$/.exec(lines[i]!)
    if (match !== null) starts.push({ line: i + 1, file: shorten(match[1]!) })
  }
  return (line) => {
    let lo = 0
    let hi = starts.length - 1
    let found = ''
    while (lo <= hi) {
      const mid = (lo + hi) >> 1
      if (starts[mid]!.line <= line) {
        found = starts[mid]!.file
        lo = mid + 1
      } else hi = mid - 1
    }
    return found
  }
}

function shorten(path: string): string {
  const modules = path.lastIndexOf('node_modules/')
  if (modules >= 0) return path.slice(modules + 'node_modules/'.length)
  const src = path.indexOf('src/')
  return src >= 0 ? path.slice(src) : path
}
