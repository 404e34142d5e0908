/** What the figures were measured on: the machine, the runtime versions and the code. */
import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { cpus, loadavg, totalmem } from 'node:os'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const run = promisify(execFile)

export interface MachineInfo {
  nproc: number
  cpuModel: string
  memoryGiB: number
  loadAverage: number[]
  node: string
  wrangler: string
  workerd: string
  autocannon: string
  commit: string
  /** Files changed against the commit when the run started. */
  uncommittedChanges: number
}

async function quiet(command: string, args: string[]): Promise<string> {
  try {
    const { stdout, stderr } = await run(command, args, { cwd: ROOT })
    return (stdout || stderr).trim()
  } catch {
    return 'unknown'
  }
}

async function packageVersion(name: string): Promise<string> {
  try {
    return (
      JSON.parse(await readFile(`${ROOT}node_modules/${name}/package.json`, 'utf8')) as { version: string }
    ).version
  } catch {
    return 'unknown'
  }
}

export async function machineInfo(): Promise<MachineInfo> {
  const cpuinfo = await readFile('/proc/cpuinfo', 'utf8').catch(() => '')
  const status = await quiet('git', ['status', '--porcelain'])
  return {
    nproc: Number(await quiet('nproc', [])) || cpus().length,
    cpuModel: /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1] ?? cpus()[0]?.model ?? 'unknown',
    memoryGiB: Number((totalmem() / 2 ** 30).toFixed(1)),
    loadAverage: loadavg().map((value) => Number(value.toFixed(2))),
    node: process.version,
    wrangler: await packageVersion('wrangler'),
    workerd: await quiet(`${ROOT}node_modules/@cloudflare/workerd-linux-64/bin/workerd`, ['--version']),
    autocannon: await packageVersion('autocannon'),
    commit: await quiet('git', ['rev-parse', '--short', 'HEAD']),
    uncommittedChanges: status === 'unknown' || status === '' ? 0 : status.split('\n').length,
  }
}
