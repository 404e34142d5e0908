/**
 * What the import rules (.dependency-cruiser.mjs) cannot see: Superset's tables are known in src/superset
 * only (docs/ARCHITECTURE.md). Every statement that names one of Superset's tables, wherever else it were
 * written, would be a second place to change when Superset's schema changes.
 */
import { readdir, readFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const SCHEMA = join(ROOT, 'scripts/seed/superset-schema.sql')

/** Superset's tables, as the schema the demo and the tests load creates them. */
async function supersetTables(): Promise<string[]> {
  const schema = await readFile(SCHEMA, 'utf8')
  const names = [...schema.matchAll(/CREATE TABLE (?:IF NOT EXISTS )?(?:public\.)?([a-z_]+)\b/g)].map(
    (match) => match[1]!,
  )
  return [...new Set(names)]
}

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true })
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name))
}

describe('architecture', () => {
  it("names Superset's tables in src/superset only", async () => {
    const tables = await supersetTables()
    expect(tables).toEqual(expect.arrayContaining(['slices', 'dashboards', 'tables', 'dbs', 'ab_user']))
    const inStatement = new RegExp(
      `\\b(?:FROM|JOIN|INTO|UPDATE|TABLE)\\s+(?:public\\.)?(${tables.join('|')})\\b|trusted\\('(${tables.join('|')})\\s`,
      'i',
    )
    const offenders: string[] = []
    for (const file of await sourceFiles(join(ROOT, 'src'))) {
      const path = relative(ROOT, file)
      if (path.startsWith('src/superset/')) continue
      const lines = (await readFile(file, 'utf8')).split('\n')
      lines.forEach((line, index) => {
        if (inStatement.test(line)) offenders.push(`${path}:${index + 1}: ${line.trim()}`)
      })
    }
    expect(offenders).toEqual([])
  })
})
