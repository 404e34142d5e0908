/**
 * Limits that do not interfere with a load test, put where the gateway reads them: `limits:default` in
 * the CONFIG namespace of the stack's local KV, written with `wrangler kv key put --local` exactly as
 * `npm run limits -- put` does, and checked with the gateway's own schema first.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { FALLBACK_TENANT, limitKeys, parseLimitDocument } from '../../src/limit-documents/index.ts'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

/**
 * The highest limits a document may hold (10 000 calls, the shortest window): far above what this
 * machine can serve, and every call is still counted by the RateLimiter object as in production.
 */
export const BENCH_LIMITS = {
  default_limits: ['10000 per second'],
  per_tool_limits: {
    execute_sql: '10000 per second',
    generate_chart: '10000 per second',
    list_charts: '10000 per second',
  },
}

export async function putLimitDocument(persistTo: string, document: unknown = BENCH_LIMITS): Promise<void> {
  const text = JSON.stringify(document, null, 2)
  const parsed = parseLimitDocument(text)
  if (!parsed.ok) throw new Error(`invalid limit document: ${parsed.problems.join('; ')}`)
  await putConfigValue(persistTo, limitKeys.document(FALLBACK_TENANT), text)
}

/**
 * Writes any value, unchecked, under `key` in the CONFIG namespace of a local KV state directory (the
 * fault tests write corrupt documents with it).
 */
export async function putConfigValue(persistTo: string, key: string, text: string): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'mcp-bench-kv-'))
  try {
    const file = join(dir, 'value')
    await writeFile(file, text)
    await promisify(execFile)(
      process.execPath,
      [
        `${ROOT}node_modules/wrangler/bin/wrangler.js`,
        'kv',
        'key',
        'put',
        key,
        '--path',
        file,
        '--binding',
        'CONFIG',
        '--local',
        '--persist-to',
        persistTo,
      ],
      { cwd: ROOT, env: { ...process.env, WRANGLER_SEND_METRICS: 'false' } },
    )
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
