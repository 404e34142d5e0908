/**
 * What the local stack needs to know about other processes before it starts: whether its port is free
 * (and if not, which process holds it), and an exclusive lock on a data directory (two PGlite instances
 * on one directory corrupt it).
 */
import { open, readFile, readdir, readlink, rm } from 'node:fs/promises'
import { createServer } from 'node:net'

/** Refuses, naming the holder, when something already listens on 127.0.0.1:`port`. */
export async function assertPortFree(port: number, what: string): Promise<void> {
  const free = await new Promise<boolean>((resolve, reject) => {
    const server = createServer()
    server.once('error', (err: NodeJS.ErrnoException) =>
      err.code === 'EADDRINUSE' ? resolve(false) : reject(err),
    )
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)))
  })
  if (free) return
  const holder = await portHolder(port)
  throw new Error(
    `port ${port} (${what}) is already in use${holder === undefined ? '' : ` by ${holder}`}. ` +
      'Stop that process, or choose another port (PORT=8800 npm start).',
  )
}

/** `pid 123 (node scripts/start.ts)` for the process listening on the port, from /proc (Linux); undefined elsewhere. */
export async function portHolder(port: number): Promise<string | undefined> {
  const inodes = new Set<string>()
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const text = await readFile(table, 'utf8').catch(() => '')
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/)
      const local = fields[1]
      // State 0A is LISTEN; the local address ends in the port in hex.
      if (local !== undefined && fields[3] === '0A' && parseInt(local.split(':')[1] ?? '', 16) === port) {
        inodes.add(fields[9] ?? '')
      }
    }
  }
  if (inodes.size === 0) return undefined
  for (const pid of (await readdir('/proc').catch(() => [])).filter((name) => /^\d+$/.test(name))) {
    const fds = await readdir(`/proc/${pid}/fd`).catch(() => [])
    for (const fd of fds) {
      const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '')
      const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1]
      if (inode !== undefined && inodes.has(inode)) return describeProcess(Number(pid))
    }
  }
  return 'another process'
}

async function describeProcess(pid: number): Promise<string> {
  const command = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => ''))
    .split('\0')
    .filter((part) => part !== '')
    .join(' ')
    .replace(/\s+/g, ' ')
    .trim()
  return command === ''
    ? `pid ${pid}`
    : `pid ${pid} (${command.length > 120 ? `${command.slice(0, 117)}...` : command})`
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

export interface DirectoryLock {
  release(): Promise<void>
}

/**
 * An exclusive lock on `directory` (the file `<directory>.lock` holding this process's pid). A lock left
 * by a process that is gone is taken over; one held by a live process is refused, naming it.
 */
export async function lockDirectory(directory: string, what: string): Promise<DirectoryLock> {
  const file = `${directory}.lock`
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(file, 'wx', 0o600)
      await handle.writeFile(`${process.pid}\n`)
      await handle.close()
      return { release: () => rm(file, { force: true }) }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      const pid = Number((await readFile(file, 'utf8').catch(() => '')).trim())
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
        throw new Error(
          `${what} (${directory}) is in use by ${await describeProcess(pid)}. Stop it first; two embedded databases on one directory would corrupt it.`,
          { cause: err },
        )
      }
      await rm(file, { force: true })
    }
  }
  throw new Error(`${what} (${directory}) could not be locked`)
}
