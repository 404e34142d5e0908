/**
 * Memory of the runtime: the workerd processes among the descendants of a `wrangler dev`, sampled from
 * /proc/<pid>/status (VmRSS now, VmHWM the kernel's own peak). `wrangler dev` runs two of them: one
 * in front (its proxy worker, on the public port) and one running the Worker (with the inspector).
 */
import { readdir, readFile } from 'node:fs/promises'

export interface ProcessMemory {
  pid: number
  /** `worker` runs the Worker itself; `proxy` is wrangler's proxy in front of it. */
  role: 'worker' | 'proxy'
  rssKiB: number
  hwmKiB: number
}

async function statusOf(pid: number): Promise<{ ppid: number; name: string; rss: number; hwm: number }> {
  const text = await readFile(`/proc/${pid}/status`, 'utf8')
  const field = (name: string): string => new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(text)?.[1] ?? ''
  return {
    ppid: Number(field('PPid')),
    name: field('Name'),
    rss: Number.parseInt(field('VmRSS'), 10) || 0,
    hwm: Number.parseInt(field('VmHWM'), 10) || 0,
  }
}

/** Every process below `root` (children, grandchildren, …). */
export async function descendants(root: number): Promise<number[]> {
  const parents = new Map<number, number>()
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      parents.set(Number(entry), (await statusOf(Number(entry))).ppid)
    } catch {
      // exited meanwhile
    }
  }
  const found: number[] = []
  const queue = [root]
  while (queue.length > 0) {
    const parent = queue.shift()!
    for (const [pid, ppid] of parents) {
      if (ppid === parent) {
        found.push(pid)
        queue.push(pid)
      }
    }
  }
  return found
}

/** The workerd processes of a `wrangler dev`, with their roles. */
export async function workerdProcesses(
  wranglerPid: number,
): Promise<{ pid: number; role: 'worker' | 'proxy' }[]> {
  const result: { pid: number; role: 'worker' | 'proxy' }[] = []
  for (const pid of await descendants(wranglerPid)) {
    try {
      const cmdline = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0')
      if (!(cmdline[0] ?? '').endsWith('/workerd')) continue
      result.push({
        pid,
        role: cmdline.some((arg) => arg.startsWith('--inspector-addr')) ? 'worker' : 'proxy',
      })
    } catch {
      // exited meanwhile
    }
  }
  return result
}

export interface MemorySampler {
  /** Peak VmRSS seen by sampling and the kernel's VmHWM, per process, and every sample of the worker. */
  stop(): Promise<{ processes: ProcessMemory[]; workerSamples: { atMs: number; rssKiB: number }[] }>
}

/** Samples every `intervalMs` until stopped. */
export async function sampleMemory(wranglerPid: number, intervalMs = 500): Promise<MemorySampler> {
  const processes = await workerdProcesses(wranglerPid)
  if (processes.length === 0) throw new Error(`no workerd process below wrangler (pid ${wranglerPid})`)
  const peaks = new Map<number, ProcessMemory>()
  const workerSamples: { atMs: number; rssKiB: number }[] = []
  const started = Date.now()
  const sample = async (): Promise<void> => {
    for (const { pid, role } of processes) {
      try {
        const { rss, hwm } = await statusOf(pid)
        const previous = peaks.get(pid)
        peaks.set(pid, { pid, role, rssKiB: Math.max(previous?.rssKiB ?? 0, rss), hwmKiB: hwm })
        if (role === 'worker') workerSamples.push({ atMs: Date.now() - started, rssKiB: rss })
      } catch {
        // exited
      }
    }
  }
  await sample()
  let pending: Promise<void> = Promise.resolve()
  const timer = setInterval(() => {
    pending = pending.then(sample)
  }, intervalMs)
  return {
    stop: async () => {
      clearInterval(timer)
      await pending
      await sample()
      return { processes: [...peaks.values()], workerSamples }
    },
  }
}

/** CPU seconds: the whole machine busy (/proc/stat), and this process tree (/proc/<pid>/stat). */
export interface CpuReading {
  machineBusy: number
  tree: number
}

const TICKS_PER_SECOND = 100

export async function readCpu(): Promise<CpuReading> {
  const stat = await readFile('/proc/stat', 'utf8')
  // cpu  user nice system idle iowait irq softirq steal …
  const fields = (/^cpu\s+(.*)$/m.exec(stat)?.[1] ?? '').split(/\s+/).map(Number)
  const busy = [0, 1, 2, 5, 6, 7].reduce((sum, index) => sum + (fields[index] ?? 0), 0)
  let tree = 0
  for (const pid of [process.pid, ...(await descendants(process.pid))]) {
    try {
      const text = await readFile(`/proc/${pid}/stat`, 'utf8')
      const values = text.slice(text.lastIndexOf(')') + 2).split(' ')
      tree += Number(values[11]) + Number(values[12])
    } catch {
      // exited meanwhile
    }
  }
  return { machineBusy: busy / TICKS_PER_SECOND, tree: tree / TICKS_PER_SECOND }
}

/**
 * Where the machine's CPU went between two readings, in cores: this benchmark's processes (load
 * generator, bridge, wrangler, workerd) and everything else (Postgres, and other users of the machine).
 */
export function cpuShare(before: CpuReading, after: CpuReading, seconds: number) {
  const round = (value: number): number => Number((value / seconds).toFixed(2))
  const machine = after.machineBusy - before.machineBusy
  const tree = after.tree - before.tree
  return {
    machineCores: round(machine),
    benchCores: round(tree),
    otherCores: round(Math.max(0, machine - tree)),
  }
}

/** Open file descriptors of a process (sockets included), or undefined if it is gone. */
export async function openFiles(pid: number): Promise<number | undefined> {
  try {
    return (await readdir(`/proc/${pid}/fd`)).length
  } catch {
    return undefined
  }
}

/** Resident memory of a process in KiB (all, anonymous, file-backed), or undefined if it is gone. */
export async function residentKiB(
  pid: number,
): Promise<{ rss: number; anon: number; file: number } | undefined> {
  try {
    const text = await readFile(`/proc/${pid}/status`, 'utf8')
    const field = (name: string): number =>
      Number.parseInt(new RegExp(`^${name}:\\s*(\\d+)`, 'm').exec(text)?.[1] ?? '0', 10)
    return { rss: field('VmRSS'), anon: field('RssAnon'), file: field('RssFile') }
  } catch {
    return undefined
  }
}

/** CPU seconds a process has used so far (user + system), or 0 if it is gone. */
export async function processCpuSeconds(pid: number): Promise<number> {
  try {
    const text = await readFile(`/proc/${pid}/stat`, 'utf8')
    const values = text.slice(text.lastIndexOf(')') + 2).split(' ')
    return (Number(values[11]) + Number(values[12])) / TICKS_PER_SECOND
  } catch {
    return 0
  }
}
