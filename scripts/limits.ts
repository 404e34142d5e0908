/**
 * `npm run limits`: the tenant admins' tool for limit documents (docs/LIMITS.md). Documents are checked
 * with the Worker's own zod schema before anything is written, and the effective limits are printed.
 *
 *   npm run limits -- validate --file limits.json [--tenant T]
 *   npm run limits -- get      --tenant T                [--env production] [--local]
 *   npm run limits -- put      --tenant T --file F.json  [--env production] [--local]
 *   npm run limits -- delete   --tenant T                [--env production] [--local]
 *
 * Without --env it works on the local stack's KV (`.wrangler/state`, shared with `wrangler dev` and
 * `npm start`); with --env it works on that environment's deployed namespace (wrangler --remote), unless
 * --local is given too.
 */
import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { parseArgs, promisify } from 'node:util'
import {
  DOCUMENT_PREFIX,
  FALLBACK_TENANT,
  describeEffectiveLimits,
  limitKeys,
  parseLimitDocument,
  type LimitDocument,
} from '../src/limit-documents/index.ts'
import { CONFIRMABLE_TOOL_NAMES, LIMITABLE_TOOL_NAMES } from '../src/tool-names.ts'

const ROOT = fileURLToPath(new URL('../', import.meta.url))
const WRANGLER = `${ROOT}node_modules/wrangler/bin/wrangler.js`
const COMMANDS = ['validate', 'get', 'put', 'delete'] as const
type Command = (typeof COMMANDS)[number]

const USAGE = `usage: npm run limits -- <command> [options]

  validate --file F [--tenant T]   check a document and print the limits it gives (no KV access)
  get      --tenant T              print limits:T, whether it is valid, and the effective limits
  put      --tenant T --file F     validate F, then write it as limits:T
  delete   --tenant T              delete limits:T (the tenant falls back to limits:default)

  --env NAME   a deployed environment of wrangler.toml (e.g. production): its KV namespace, remotely
  --local      the local stack's KV (the default without --env)
  --help       this text`

/** A usage or input problem: printed without a stack trace. */
class CliError extends Error {
  readonly exitCode: number
  constructor(message: string, exitCode = 1) {
    super(message)
    this.exitCode = exitCode
  }
}

interface Options {
  command: Command
  tenant: string | undefined
  file: string | undefined
  /** wrangler's namespace selection: `--local` or `--remote --env NAME`. */
  target: string[]
  targetLabel: string
}

function parseOptions(argv: string[]): Options {
  let parsed
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        tenant: { type: 'string' },
        file: { type: 'string' },
        env: { type: 'string' },
        local: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    })
  } catch (err) {
    throw new CliError(`${err instanceof Error ? err.message : String(err)}\n\n${USAGE}`, 2)
  }
  const { positionals, values } = parsed
  if (values.help || positionals[0] === 'help') throw new CliError(USAGE, 0)
  const command = COMMANDS.find((name) => name === positionals[0])
  if (command === undefined || positionals.length > 1) throw new CliError(USAGE, 2)
  const local = values.local || values.env === undefined
  const envArgs = values.env === undefined ? [] : ['--env', values.env]
  return {
    command,
    tenant: values.tenant?.trim() || undefined,
    file: values.file,
    target: [local ? '--local' : '--remote', ...envArgs],
    targetLabel: local
      ? `the local stack's KV${values.env === undefined ? '' : ` (env ${values.env})`}`
      : `the ${values.env} namespace`,
  }
}

function required(value: string | undefined, flag: string, command: Command): string {
  if (value === undefined) throw new CliError(`${command} needs ${flag}\n\n${USAGE}`, 2)
  return value
}

/** Reads and validates a document file; refuses an invalid one naming each field and why. */
async function validFile(file: string): Promise<{ text: string; document: LimitDocument }> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    throw new CliError(`cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`)
  }
  const parsed = parseLimitDocument(text)
  if (!parsed.ok) throw new CliError(invalidReport(file, parsed.problems))
  const unknown = unknownTools(parsed.document)
  if (unknown.length > 0) throw new CliError(invalidReport(file, unknown))
  return { text, document: parsed.document }
}

/**
 * Per-tool limits for tools the gateway does not have (a typo such as `execute_sq` would otherwise
 * limit nothing, silently). The Worker itself accepts them, so a document can name a tool before an
 * upgrade brings it; this tool does not.
 */
function unknownTools(document: LimitDocument): string[] {
  const places: [string, Record<string, unknown> | undefined][] = [
    ['per_tool_limits', document.per_tool_limits],
    ...Object.entries(document.users ?? {}).map(
      ([user, limits]): [string, Record<string, unknown> | undefined] => [
        `users.${user}.per_tool_limits`,
        limits.per_tool_limits,
      ],
    ),
  ]
  const limited = places.flatMap(([where, limits]) =>
    Object.keys(limits ?? {})
      .filter((tool) => !LIMITABLE_TOOL_NAMES.includes(tool))
      .map(
        (tool) => `${where}.${tool}: no tool is called "${tool}"${suggestion(tool, LIMITABLE_TOOL_NAMES)}`,
      ),
  )
  return [...limited, ...unconfirmableTools(document)]
}

/**
 * `confirm` entries for a tool that never asks (a typo such as `execute_sq`, or `list_charts`, which
 * changes nothing) would be silently ignored by the Worker: refused here, naming the tools that ask.
 */
function unconfirmableTools(document: LimitDocument): string[] {
  return Object.keys(document.confirm ?? {})
    .filter((tool) => !CONFIRMABLE_TOOL_NAMES.includes(tool))
    .map((tool) =>
      LIMITABLE_TOOL_NAMES.includes(tool)
        ? `confirm.${tool}: ${tool} never asks for confirmation (the tools that do: ${CONFIRMABLE_TOOL_NAMES.join(', ')})`
        : `confirm.${tool}: no tool is called "${tool}"${suggestion(tool, CONFIRMABLE_TOOL_NAMES)}`,
    )
}

function suggestion(name: string, names: readonly string[]): string {
  const close = names.filter(
    (tool) => editDistance(tool, name) <= 2 || tool.includes(name) || name.includes(tool),
  )
  return close.length === 0 ? ` (tools: ${names.join(', ')})` : ` (did you mean ${close.join(' or ')}?)`
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, index) => index)
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1))
      previous = current
    }
  }
  return row[b.length]!
}

function invalidReport(what: string, problems: readonly string[]): string {
  return `${what} is not a valid limit document:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`
}

const execFileAsync = promisify(execFile)

async function wrangler(args: string[]): Promise<string> {
  try {
    const { stdout } = await execFileAsync(process.execPath, [WRANGLER, ...args], {
      cwd: ROOT,
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
      maxBuffer: 64 * 1024 * 1024,
    })
    return stdout
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr?.trim()
    throw new CliError(`wrangler ${args.slice(0, 3).join(' ')} failed${stderr ? `:\n${stderr}` : ''}`)
  }
}

/** The KV side: wrangler's `kv key` commands on the CONFIG binding of the chosen target. */
function kvStore(target: string[]) {
  const kv = (args: string[]) => wrangler(['kv', 'key', ...args, '--binding', 'CONFIG', ...target])
  return {
    /** Names of the stored limit documents (one call; `get` alone cannot tell "absent" from a value). */
    async documentKeys(): Promise<Set<string>> {
      const listed = JSON.parse(await kv(['list', '--prefix', DOCUMENT_PREFIX])) as { name: string }[]
      return new Set(listed.map((entry) => entry.name))
    },
    async read(key: string): Promise<string> {
      return (await kv(['get', key, '--text'])).replace(/\n$/, '')
    },
    async write(key: string, file: string): Promise<void> {
      await kv(['put', key, '--path', file])
    },
    async remove(key: string): Promise<void> {
      await kv(['delete', key])
    },
  }
}

type KvStore = ReturnType<typeof kvStore>

/** limits:default as stored, for the effective limits of another tenant (absent or invalid → none). */
async function fallbackDocument(
  kv: KvStore,
  tenant: string,
  keys: Set<string>,
): Promise<LimitDocument | undefined> {
  const key = limitKeys.document(FALLBACK_TENANT)
  if (tenant === FALLBACK_TENANT || !keys.has(key)) return undefined
  const parsed = parseLimitDocument(await kv.read(key))
  if (!parsed.ok) print(`warning: ${invalidReport(key, parsed.problems)}\n`)
  return parsed.ok ? parsed.document : undefined
}

function printEffective(
  tenant: string,
  own: LimitDocument | undefined,
  fallback: LimitDocument | undefined,
  basis: string,
) {
  print(`Effective limits for tenant "${tenant}" (${basis}):`)
  for (const line of describeEffectiveLimits({ own, fallback })) print(`  ${line}`)
}

/** Which documents decide a tenant's limits, most specific first. */
function layersOf(tenant: string, withOwn: boolean): string {
  const layers = [
    ...(withOwn ? [limitKeys.document(tenant)] : []),
    ...(tenant === FALLBACK_TENANT ? [] : [limitKeys.document(FALLBACK_TENANT)]),
    'the built-in defaults',
  ]
  return layers.join(' over ')
}

function print(line: string): void {
  process.stdout.write(`${line}\n`)
}

async function run(options: Options): Promise<void> {
  const { command } = options
  if (command === 'validate') {
    const file = required(options.file, '--file', command)
    const { document } = await validFile(file)
    print(`${file} is a valid limit document.`)
    printEffective(
      options.tenant ?? '<tenant>',
      document,
      undefined,
      'this document over the built-in defaults; limits:default in KV is not consulted',
    )
    return
  }
  const tenant = required(options.tenant, '--tenant', command)
  const key = limitKeys.document(tenant)
  const kv = kvStore(options.target)
  if (command === 'put') {
    const file = required(options.file, '--file', command)
    const { document } = await validFile(file).catch((err: unknown) => {
      throw err instanceof CliError ? new CliError(`${err.message}\nNothing was written.`) : err
    })
    await kv.write(key, file)
    print(`Wrote ${key} to ${options.targetLabel}. The gateway applies it within about a minute.`)
    const fallback = await fallbackDocument(kv, tenant, await kv.documentKeys())
    printEffective(tenant, document, fallback, layersOf(tenant, true))
    return
  }
  if (command === 'delete') {
    await kv.remove(key)
    await kv.remove(limitKeys.lastValid(tenant))
    print(
      `Deleted ${key} from ${options.targetLabel}; within about a minute the tenant has ${layersOf(tenant, false)}.`,
    )
    return
  }
  const keys = await kv.documentKeys()
  const fallback = await fallbackDocument(kv, tenant, keys)
  if (!keys.has(key)) {
    print(`There is no ${key} in ${options.targetLabel}.`)
    printEffective(tenant, undefined, fallback, layersOf(tenant, false))
    return
  }
  const text = await kv.read(key)
  print(`${key} in ${options.targetLabel}:\n${text.trimEnd()}\n`)
  const parsed = parseLimitDocument(text)
  if (!parsed.ok) {
    throw new CliError(
      `${invalidReport(key, parsed.problems)}\nThe gateway keeps the last valid document in force; fix it with put.`,
    )
  }
  printEffective(tenant, parsed.document, fallback, layersOf(tenant, true))
}

Promise.resolve()
  .then(() => run(parseOptions(process.argv.slice(2))))
  .catch((err: unknown) => {
    if (err instanceof CliError) {
      ;(err.exitCode === 0 ? process.stdout : process.stderr).write(`${err.message}\n`)
      process.exit(err.exitCode)
    }
    process.stderr.write(`limits: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`)
    process.exit(1)
  })
