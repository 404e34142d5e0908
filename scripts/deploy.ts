/**
 * `npm run deploy -- --env staging|production [more wrangler deploy flags]`: `wrangler deploy` of one of
 * wrangler.toml's environments. A bare `wrangler deploy` publishes the top-level configuration, which is the
 * local development one (authentication off, every request acting as MCP_DEV_USERNAME): this refuses it.
 */
import { spawn } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../', import.meta.url))
const WRANGLER = `${ROOT}node_modules/wrangler/bin/wrangler.js`

/** The environments wrangler.toml declares (`[env.NAME]`, `[[env.NAME.…]]`). */
export function declaredEnvironments(toml: string): string[] {
  const names = [...toml.matchAll(/^\[\[?env\.([A-Za-z0-9_-]+)[.\]]/gm)].map((match) => match[1]!)
  return [...new Set(names)]
}

/** The value of --env / --env=NAME / -e NAME, if any. */
export function requestedEnvironment(args: readonly string[]): string | undefined {
  for (const [index, arg] of args.entries()) {
    if (arg === '--env' || arg === '-e') return args[index + 1]
    if (arg.startsWith('--env=')) return arg.slice('--env='.length)
  }
  return undefined
}

async function main(): Promise<number> {
  const args = process.argv.slice(2)
  const environments = declaredEnvironments(await readFile(`${ROOT}wrangler.toml`, 'utf8'))
  const environment = requestedEnvironment(args)
  if (environment === undefined || !environments.includes(environment)) {
    const choices = environments.map((name) => `npm run deploy -- --env ${name}`).join('\n  ')
    console.error(
      `${environment === undefined ? 'No environment given' : `wrangler.toml declares no environment "${environment}"`}: ` +
        'the top-level configuration is for local development (authentication off) and is never deployed.\n' +
        `Deploy one of:\n  ${choices}\n(docs/DEPLOYMENT.md)`,
    )
    return 2
  }
  const child = spawn(process.execPath, [WRANGLER, 'deploy', ...args], { cwd: ROOT, stdio: 'inherit' })
  return new Promise((resolve) => child.on('exit', (code) => resolve(code ?? 1)))
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = await main()
