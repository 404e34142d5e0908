/**
 * `npm run deploy`: refuses the top-level (development, authentication off) configuration and passes a
 * declared environment through to `wrangler deploy`.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { declaredEnvironments, requestedEnvironment } from '../../scripts/deploy.ts'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const execFileAsync = promisify(execFile)

async function deploy(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, ['scripts/deploy.ts', ...args], {
      cwd: ROOT,
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
    })
    return { code: 0, stdout, stderr }
  } catch (err) {
    const failed = err as { code: number; stdout: string; stderr: string }
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr }
  }
}

describe('npm run deploy', () => {
  it('refuses to deploy without an environment, naming the ones wrangler.toml declares', async () => {
    const run = await deploy('--dry-run')
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('No environment given')
    expect(run.stderr).toContain('npm run deploy -- --env staging')
    expect(run.stderr).toContain('npm run deploy -- --env production')
  })

  it('refuses an environment wrangler.toml does not declare', async () => {
    const run = await deploy('--env', 'prod')
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('declares no environment "prod"')
  })

  it('builds a declared environment with wrangler (dry run)', { timeout: 120_000 }, async () => {
    const outdir = await mkdtemp(join(tmpdir(), 'deploy-'))
    try {
      const run = await deploy('--env', 'production', '--dry-run', '--outdir', outdir)
      expect(run.code, run.stderr).toBe(0)
      const output = run.stdout + run.stderr
      expect(output).toContain('Total Upload')
      expect(output).toMatch(/env\.RATE_LIMITER[\s\S]*env\.METRICS_AGGREGATOR/)
    } finally {
      await rm(outdir, { recursive: true, force: true })
    }
  })

  it('reads environments and the --env flag in their every form', () => {
    expect(declaredEnvironments('[env.a]\n[env.a.vars]\n[[env.b.kv_namespaces]]\n# [env.c]\n')).toEqual([
      'a',
      'b',
    ])
    expect(requestedEnvironment(['--dry-run', '--env', 'staging'])).toBe('staging')
    expect(requestedEnvironment(['--env=production'])).toBe('production')
    expect(requestedEnvironment(['-e', 'staging'])).toBe('staging')
    expect(requestedEnvironment(['--dry-run'])).toBeUndefined()
  })
})
