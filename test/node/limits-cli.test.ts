/**
 * `npm run limits`: documents are checked with the Worker's schema and refused with a message naming
 * each field and why, before anything is written.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CONFIRMABLE_TOOL_NAMES } from '../../src/tool-names'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const execFileAsync = promisify(execFile)

interface Run {
  code: number
  stdout: string
  stderr: string
}

async function limits(...args: string[]): Promise<Run> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, ['scripts/limits.ts', ...args], {
      cwd: ROOT,
    })
    return { code: 0, stdout, stderr }
  } catch (err) {
    const failed = err as { code: number; stdout: string; stderr: string }
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr }
  }
}

describe('npm run limits', () => {
  let dir: string
  const file = (name: string) => join(dir, name)

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'limits-cli-'))
    await writeFile(
      file('good.json'),
      JSON.stringify({
        default_limits: ['200/minute', '2000 per hour'],
        per_tool_limits: { execute_sql: '3 per minute' },
        confirm: { execute_sql: false, update_chart: true },
        users: {
          alice: { default_limits: ['300 per minute'], per_tool_limits: { execute_sql: ['1 per second'] } },
        },
      }),
    )
    await writeFile(
      file('bad.json'),
      JSON.stringify({
        default_limits: ['100 per fortnight', '0 per minute'],
        per_tool_limits: { execute_sql: 10, ListCharts: '5 per minute' },
        users: { bob: { default_limit: ['1 per minute'] } },
        confirm: { execute_sql: 'no', UpdateChart: true },
        extra: true,
      }),
    )
    await writeFile(file('broken.json'), '{"per_tool_limits": {"execute_sql": "3 per minute",}}')
    await writeFile(
      file('typo.json'),
      JSON.stringify({
        per_tool_limits: { execute_sq: '3 per minute' },
        users: { bob: { per_tool_limits: { list_chart: '5 per minute' } } },
        confirm: { execute_sq: false, list_charts: true },
      }),
    )
  })
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('validates a good document and prints the effective limits', async () => {
    const run = await limits('validate', '--file', file('good.json'), '--tenant', 'acme')
    expect(run.code).toBe(0)
    expect(run.stdout).toContain(`${file('good.json')} is a valid limit document.`)
    expect(run.stdout).toContain('Effective limits for tenant "acme"')
    expect(run.stdout).toContain('every user, all tools together: 200 per minute, 2000 per hour')
    expect(run.stdout).toMatch(/execute_sql: 3 per minute\n/)
    expect(run.stdout).toMatch(/generate_chart: 20 per minute\n/)
    expect(run.stdout).toMatch(/user alice, all tools together: 300 per minute\n\s+execute_sql: 1 per second/)
    expect(run.stdout).toContain('confirmation of execute_sql: not asked (overrides MCP_CONFIRM_DESTRUCTIVE)')
    expect(run.stdout).toContain('confirmation of update_chart: asked (overrides MCP_CONFIRM_DESTRUCTIVE)')
  })

  it('refuses a bad document naming every field and why', async () => {
    const run = await limits('validate', '--file', file('bad.json'))
    expect(run.code).toBe(1)
    expect(run.stdout).toBe('')
    expect(run.stderr.trim().split('\n')).toEqual([
      `${file('bad.json')} is not a valid limit document:`,
      '  - default_limits[0]: "100 per fortnight" has an unknown unit "fortnight"; use second, minute, hour or day',
      '  - default_limits[1]: "0 per minute": the count must be from 1 to 10000',
      '  - per_tool_limits.execute_sql: expected a limit such as "10 per minute" or a list of them',
      '  - per_tool_limits.ListCharts: tool names are lower_snake_case, e.g. "execute_sql"',
      '  - users.bob.default_limit: unknown field; the fields are default_limits, per_tool_limits',
      '  - confirm.execute_sql: expected true (ask before running) or false (run without asking)',
      '  - confirm.UpdateChart: tool names are lower_snake_case, e.g. "execute_sql"',
      '  - extra: unknown field; the fields are default_limits, per_tool_limits, users, confirm',
    ])
  })

  it('refuses per-tool limits for tools the gateway does not have, suggesting the close one', async () => {
    for (const command of [['validate'], ['put', '--tenant', 'acme']]) {
      const run = await limits(...command, '--file', file('typo.json'))
      expect(run.code).toBe(1)
      expect(run.stderr).toContain(
        '  - per_tool_limits.execute_sq: no tool is called "execute_sq" (did you mean execute_sql?)',
      )
      expect(run.stderr).toContain(
        '  - users.bob.per_tool_limits.list_chart: no tool is called "list_chart" (did you mean list_charts?)',
      )
      // A confirmation setting only for a tool that asks: a typo, or a tool that changes nothing, is refused.
      expect(run.stderr).toContain(
        '  - confirm.execute_sq: no tool is called "execute_sq" (did you mean execute_sql?)',
      )
      expect(run.stderr).toContain(
        `  - confirm.list_charts: list_charts never asks for confirmation (the tools that do: ${CONFIRMABLE_TOOL_NAMES.join(', ')})`,
      )
    }
  })

  it('prints its usage with --help and exits 0', async () => {
    for (const flag of ['--help', '-h', 'help']) {
      const run = await limits(flag)
      expect(run.code).toBe(0)
      expect(run.stdout).toContain('usage: npm run limits -- <command> [options]')
    }
  })

  it('refuses a document that is not JSON', async () => {
    const run = await limits('validate', '--file', file('broken.json'))
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(/is not a valid limit document:\n {2}- not valid JSON: /)
  })

  it('refuses to put an invalid document before writing anything', async () => {
    const run = await limits('put', '--tenant', 'acme', '--file', file('bad.json'))
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('is not a valid limit document:')
    expect(run.stderr.trim().endsWith('Nothing was written.')).toBe(true)
  })

  it('explains its usage when a command or option is missing', async () => {
    const unknown = await limits('frobnicate')
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain('usage: npm run limits -- <command> [options]')
    const noTenant = await limits('get')
    expect(noTenant.code).toBe(2)
    expect(noTenant.stderr).toMatch(/^get needs --tenant/)
    const missing = await limits('validate', '--file', file('absent.json'))
    expect(missing.code).toBe(1)
    expect(missing.stderr).toMatch(/^cannot read .*absent\.json: ENOENT/)
  })
})
