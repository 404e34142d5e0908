/**
 * The embedded database after an unclean end: a process killed with SIGKILL mid-work leaves its data
 * (PostgreSQL's crash recovery) and a stale lock that the next start takes over; a live holder is
 * refused by name; a directory that no longer opens is replaced by the last good copy, the broken one
 * kept aside (scripts/lib/embedded-postgres.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, open, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { startEmbeddedPostgres } from '../../scripts/lib/embedded-postgres.ts'

const LIBRARY = fileURLToPath(new URL('../../scripts/lib/embedded-postgres.ts', import.meta.url))
const cleanups: (() => Promise<unknown>)[] = []
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined)
})

/** A separate process holding the database: it writes `rows` rows, says so, and waits to be killed. */
function holder(dataDir: string, rows: number): Promise<ChildProcess> {
  const script = `
    import pg from 'pg'
    import { startEmbeddedPostgres } from ${JSON.stringify(LIBRARY)}
    const db = await startEmbeddedPostgres({ dataDir: ${JSON.stringify(dataDir)} })
    const client = new pg.Client(db.url)
    await client.connect()
    await client.query('CREATE TABLE IF NOT EXISTS notes (n int)')
    for (let i = 0; i < ${rows}; i++) await client.query('INSERT INTO notes VALUES ($1)', [i])
    console.log('written')
    setInterval(() => client.query('INSERT INTO notes SELECT -1 WHERE false'), 5)
  `
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    cwd: fileURLToPath(new URL('../../', import.meta.url)),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  cleanups.push(async () => child.kill('SIGKILL'))
  return new Promise((resolve, reject) => {
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      if (output.includes('written')) resolve(child)
    })
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.once('exit', (code) => reject(new Error(`holder exited ${code}: ${output}`)))
  })
}

async function kill(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGKILL')
  await exited
}

async function countNotes(url: string): Promise<number> {
  const client = new pg.Client(url)
  await client.connect()
  try {
    return Number((await client.query('SELECT count(*) AS n FROM notes')).rows[0].n)
  } finally {
    await client.end()
  }
}

describe('the embedded database after an unclean end', () => {
  it('refuses a second holder, keeps what was committed before a SIGKILL, and takes the stale lock over', async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'mcp-embedded-')), 'db')
    cleanups.push(() => rm(dir, { recursive: true, force: true }))
    const child = await holder(dir, 25)
    await expect(startEmbeddedPostgres({ dataDir: dir })).rejects.toThrow(
      new RegExp(`is in use by pid ${child.pid} .*two embedded databases on one directory would corrupt it`),
    )
    await kill(child)
    const db = await startEmbeddedPostgres({ dataDir: dir })
    cleanups.push(() => db.stop())
    expect(db.restored).toBeUndefined()
    expect(await countNotes(db.url)).toBe(25)
    await db.stop()
  })

  it('restores the last good copy when the directory no longer opens, and says so', async () => {
    const parent = await mkdtemp(join(tmpdir(), 'mcp-embedded-'))
    const dir = join(parent, 'db')
    cleanups.push(() => rm(parent, { recursive: true, force: true }))
    // A clean run leaves 10 rows and a good copy; the next one writes 5 more and is killed.
    await kill(await holder(dir, 10).then(async (child) => child))
    const clean = await startEmbeddedPostgres({ dataDir: dir })
    await clean.stop()
    await kill(await holder(dir, 5))
    // The control file destroyed: PostgreSQL cannot start on this directory any more.
    const control = await open(join(dir, 'global', 'pg_control'), 'r+')
    await control.write(Buffer.alloc(512, 0xff), 0, 512, 0)
    await control.close()
    const db = await startEmbeddedPostgres({ dataDir: dir })
    cleanups.push(() => db.stop())
    expect(db.restored?.brokenCopy).toMatch(/db\.broken-/)
    expect(await countNotes(db.url)).toBe(10)
    expect((await readdir(parent)).some((name) => name.startsWith('db.broken-'))).toBe(true)
    await db.stop()
  })
})
