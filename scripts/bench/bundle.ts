/**
 * Bundling a Worker exactly as `npm run deploy` would: `wrangler deploy --dry-run --outdir <dir>`, which
 * also prints the upload size ("Total Upload: … KiB / gzip: … KiB"). The benchmark runs these bundles
 * (`wrangler dev --no-bundle`), so the code under test is fixed at the start of a run.
 */
import { execFile } from 'node:child_process'
import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

export interface Bundle {
  /** The bundled entry module. */
  script: string
  uploadKiB: number
  gzipKiB: number
  /** Size of the bundled script on disk (without the source map). */
  scriptBytes: number
}

/** `config`: a wrangler configuration file (default the gateway's wrangler.toml). */
export async function buildBundle(outdir: string, config?: string): Promise<Bundle> {
  const { stdout, stderr } = await promisify(execFile)(
    process.execPath,
    [
      `${ROOT}node_modules/wrangler/bin/wrangler.js`,
      'deploy',
      '--dry-run',
      '--outdir',
      outdir,
      ...(config === undefined ? [] : ['--config', config]),
    ],
    { cwd: ROOT, env: { ...process.env, WRANGLER_SEND_METRICS: 'false' }, maxBuffer: 16 * 1024 * 1024 },
  )
  const match = /Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/.exec(`${stdout}\n${stderr}`)
  if (match === null) throw new Error(`wrangler deploy --dry-run printed no size:\n${stdout}\n${stderr}`)
  // The bundle is named after the entry module (index.js for src/index.ts).
  const entry = (await readdir(outdir)).find((file) => file.endsWith('.js'))
  if (entry === undefined) throw new Error(`wrangler deploy --dry-run wrote no script to ${outdir}`)
  const script = join(outdir, entry)
  return {
    script,
    uploadKiB: Number(match[1]),
    gzipKiB: Number(match[2]),
    scriptBytes: (await stat(script)).size,
  }
}
