/**
 * Limit documents (design §7): the format of Superset's production guide, flask-limiter strings such as
 * "100 per minute", parsed with zod. Which limits apply to one call is decided here too, from the
 * tenant's document, `limits:default` and the built-in defaults. Pure, and free of Worker APIs and of
 * relative imports, so the `npm run limits` CLI (Node) validates with exactly the Worker's schema.
 */
import * as z from 'zod'

/** One limit: at most `count` calls in any window of `windowMs`. */
export interface LimitRule {
  count: number
  windowMs: number
  /** Canonical spelling, e.g. "10 per minute", as shown to callers and admins. */
  text: string
}

const UNIT_MS = { second: 1_000, minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const
type Unit = keyof typeof UNIT_MS

/**
 * Each allowed call is remembered for its window (moving window) and a bucket is written on every call,
 * so the count bounds both memory and the write: 10 000 timestamps are 80 KB.
 */
export const MAX_LIMIT_COUNT = 10_000
/** A token bucket (the per-IP limiter) keeps one number whatever the count. */
export const MAX_TOKEN_BUCKET_COUNT = 1_000_000
const MAX_WINDOW_MS = 31 * UNIT_MS.day

// "10 per minute", "10/minute", "10 per 5 minutes", "10/5minutes": flask-limiter's grammar.
const LIMIT_PATTERN = /^(\d+)\s*(?:\/|\s+per\s+)\s*(?:(\d+)\s*)?([a-z]+?)s?$/i

export type ParsedLimit = { ok: true; rule: LimitRule } | { ok: false; problem: string }

/** Parses one limit string, or says precisely why it is not one. */
export function parseLimit(input: string, maxCount: number = MAX_LIMIT_COUNT): ParsedLimit {
  const text = input.trim()
  const match = LIMIT_PATTERN.exec(text)
  if (match === null) {
    return {
      ok: false,
      problem: `"${input}" is not a limit; write "N per second|minute|hour|day", e.g. "10 per minute"`,
    }
  }
  const [, countText = '', multiplierText, unitText = ''] = match
  const unit = unitText.toLowerCase()
  if (!isUnit(unit)) {
    return {
      ok: false,
      problem: `"${input}" has an unknown unit "${unitText}"; use second, minute, hour or day`,
    }
  }
  const count = Number(countText)
  const multiplier = multiplierText === undefined ? 1 : Number(multiplierText)
  if (count < 1 || count > maxCount) {
    return { ok: false, problem: `"${input}": the count must be from 1 to ${maxCount}` }
  }
  const windowMs = multiplier * UNIT_MS[unit]
  if (multiplier < 1 || windowMs > MAX_WINDOW_MS) {
    return { ok: false, problem: `"${input}": the window must be from 1 second to 31 days` }
  }
  return { ok: true, rule: { count, windowMs, text: formatLimit(count, multiplier, unit) } }
}

function isUnit(unit: string): unit is Unit {
  return Object.hasOwn(UNIT_MS, unit)
}

function formatLimit(count: number, multiplier: number, unit: Unit): string {
  return multiplier === 1 ? `${count} per ${unit}` : `${count} per ${multiplier} ${unit}s`
}

/** Several limits in one string, separated as flask-limiter allows ("10 per minute; 100 per hour"). */
const LIMIT_SEPARATOR = /[;,]/

/** One limit string (or several separated by ; or ,) → rules; each bad part is an issue. */
const LimitStringSchema = z
  .string({ error: 'expected a limit such as "10 per minute"' })
  .transform((value, ctx) => {
    const rules: LimitRule[] = []
    for (const part of value.split(LIMIT_SEPARATOR)) {
      const parsed = parseLimit(part)
      if (parsed.ok) rules.push(parsed.rule)
      else ctx.addIssue({ code: 'custom', message: parsed.problem })
    }
    return rules
  })

const NON_EMPTY = { error: 'needs at least one limit (set a high one to loosen)' }

/** A list of limits; at least one, so a document can tighten or loosen but never switch limits off. */
const LimitListSchema = z
  .array(LimitStringSchema, { error: 'expected a list of limits, e.g. ["100 per minute", "1000 per hour"]' })
  .min(1, NON_EMPTY)
  .transform((lists) => normalizeRules(lists.flat()))

/** A tool's limit: one string or a non-empty list of them. */
const ToolLimitSchema = z
  .union([LimitStringSchema, z.array(LimitStringSchema).min(1, NON_EMPTY)], {
    error: 'expected a limit such as "10 per minute" or a list of them',
  })
  .transform((rules) => normalizeRules(rules.flat()))

const TOOL_NAME = /^[a-z][a-z0-9_]*$/

const PerToolLimitsSchema = z.record(
  z.string().regex(TOOL_NAME, { error: 'tool names are lower_snake_case, e.g. "execute_sql"' }),
  ToolLimitSchema,
  { error: 'expected an object {"<tool name>": "<limit>"}' },
)

const UserOverrideSchema = z.strictObject(
  {
    default_limits: LimitListSchema.optional(),
    per_tool_limits: PerToolLimitsSchema.optional(),
  },
  { error: unknownFieldMessage(['default_limits', 'per_tool_limits']) },
)

/**
 * Per tool, whether its destructive calls ask the user to confirm (true) or not (false), overriding
 * MCP_CONFIRM_DESTRUCTIVE for the tenant (src/confirm). Names are checked as per-tool limits are: the
 * Worker takes any well-formed name, `npm run limits` only a tool that asks for confirmation.
 */
const ConfirmSectionSchema = z.record(
  z.string().regex(TOOL_NAME, { error: 'tool names are lower_snake_case, e.g. "execute_sql"' }),
  z.boolean({ error: 'expected true (ask before running) or false (run without asking)' }),
  { error: 'expected an object {"<tool name>": true | false}, e.g. {"execute_sql": false}' },
)

const DOCUMENT_FIELDS = ['default_limits', 'per_tool_limits', 'users', 'confirm']

/** A limit document as stored in KV under `limits:<tenant>`. Unknown fields are refused: a typo never silently drops a limit. */
export const LimitDocumentSchema = z.strictObject(
  {
    default_limits: LimitListSchema.optional(),
    per_tool_limits: PerToolLimitsSchema.optional(),
    users: z
      .record(z.string().min(1, { error: 'usernames must not be empty' }), UserOverrideSchema, {
        error:
          'expected an object {"<Superset username>": {"default_limits": [...], "per_tool_limits": {...}}}',
      })
      .optional(),
    confirm: ConfirmSectionSchema.optional(),
  },
  { error: unknownFieldMessage(DOCUMENT_FIELDS) },
)

export type LimitDocument = z.output<typeof LimitDocumentSchema>
export type LimitDocumentInput = z.input<typeof LimitDocumentSchema>

function unknownFieldMessage(allowed: readonly string[]) {
  return (issue: { code?: string; input?: unknown }) =>
    issue.code === 'unrecognized_keys'
      ? `unknown field; the fields are ${allowed.join(', ')}`
      : typeof issue.input === 'object' && issue.input !== null && !Array.isArray(issue.input)
        ? undefined
        : 'expected a JSON object'
}

/** Sorted by window; of two limits with the same window only the stricter counts. */
function normalizeRules(rules: readonly LimitRule[]): LimitRule[] {
  const byWindow = new Map<number, LimitRule>()
  for (const rule of rules) {
    const existing = byWindow.get(rule.windowMs)
    if (existing === undefined || rule.count < existing.count) byWindow.set(rule.windowMs, rule)
  }
  return [...byWindow.values()].sort((a, b) => a.windowMs - b.windowMs)
}

export type ParsedDocument = { ok: true; document: LimitDocument } | { ok: false; problems: string[] }

/** Parses a document's JSON text; every problem names its field and says why. */
export function parseLimitDocument(text: string): ParsedDocument {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (err) {
    return { ok: false, problems: [`not valid JSON: ${err instanceof Error ? err.message : String(err)}`] }
  }
  const result = LimitDocumentSchema.safeParse(json)
  if (result.success) return { ok: true, document: result.data }
  return { ok: false, problems: result.error.issues.flatMap((issue) => describeIssue(issue)) }
}

function describeIssue(issue: z.core.$ZodIssue, parent: readonly PropertyKey[] = []): string[] {
  const path = [...parent, ...issue.path]
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => `${fieldPath([...path, key])}: ${issue.message}`)
    case 'invalid_key':
      return [`${fieldPath(path)}: ${issue.issues[0]?.message ?? issue.message}`]
    case 'invalid_union': {
      // The branch whose type matched holds the real problem (e.g. a bad unit inside a list).
      const matched = issue.errors.filter((branch) => !branch.some(isTypeMismatchAtRoot))
      if (matched.length === 1) return (matched[0] ?? []).flatMap((inner) => describeIssue(inner, path))
      return [`${fieldPath(path)}: ${issue.message}`]
    }
    default:
      return [`${fieldPath(path)}: ${issue.message}`]
  }
}

function isTypeMismatchAtRoot(issue: z.core.$ZodIssue): boolean {
  return issue.code === 'invalid_type' && issue.path.length === 0
}

const PLAIN_KEY = /^[A-Za-z_][\w-]*$/

/** `users.alice.default_limits[0]`, `users["bob@example.com"]`; the document itself is "document". */
function fieldPath(path: readonly PropertyKey[]): string {
  let text = ''
  for (const part of path) {
    if (typeof part === 'number') text += `[${part}]`
    else if (PLAIN_KEY.test(String(part))) text += text === '' ? String(part) : `.${String(part)}`
    else text += `[${JSON.stringify(String(part))}]`
  }
  return text === '' ? 'document' : text
}

/** The built-in defaults (design §7), in force when neither the tenant nor `limits:default` says otherwise. */
export const BUILT_IN_LIMITS_INPUT = {
  default_limits: ['100 per minute', '1000 per hour'],
  per_tool_limits: {
    execute_sql: '10 per minute',
    generate_chart: '20 per minute',
    list_charts: '100 per minute',
  },
} as const satisfies LimitDocumentInput

export const BUILT_IN_LIMITS: LimitDocument = LimitDocumentSchema.parse(BUILT_IN_LIMITS_INPUT)

/** Unauthenticated requests per client IP when MCP_IP_RATE_LIMIT is not set: generous, a flood guard. */
export const BUILT_IN_IP_LIMIT = '300 per minute'

/**
 * The documents that decide a tenant's limits. `own` is `limits:<tenant>`; `fallback` is
 * `limits:default` (absent when the tenant is "default" itself, whose own document it is).
 */
export interface TenantDocuments {
  own: LimitDocument | undefined
  fallback: LimitDocument | undefined
}

/** The limits one call counts against: the user-wide ones and the called tool's. */
export interface CallLimits {
  user: LimitRule[]
  tool: LimitRule[]
}

/**
 * Field by field, the most specific document that sets a value wins: the user's entry in the tenant's
 * own document, then the tenant's document, then `limits:default`, then the built-in defaults. User
 * entries are read from the tenant's own document only, since usernames are per tenant.
 */
export function limitsForCall(documents: TenantDocuments, username: string, tool: string): CallLimits {
  const user = own(documents.own?.users, username)
  const layers = [documents.own, documents.fallback, BUILT_IN_LIMITS]
  return {
    user: user?.default_limits ?? firstDefined(layers, (doc) => doc?.default_limits) ?? [],
    tool:
      own(user?.per_tool_limits, tool) ??
      firstDefined(layers, (doc) => own(doc?.per_tool_limits, tool)) ??
      [],
  }
}

function firstDefined<T, V>(items: readonly T[], pick: (item: T) => V | undefined): V | undefined {
  for (const item of items) {
    const value = pick(item)
    if (value !== undefined) return value
  }
  return undefined
}

/** A record's own entry; never an inherited property such as "constructor". */
function own<V>(record: Record<string, V> | undefined, key: string): V | undefined {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined
}

/** Human-readable effective limits of a tenant, for the admin CLI: everyone's, then each user's overrides. */
export function describeEffectiveLimits(documents: TenantDocuments): string[] {
  const layers = [documents.own, documents.fallback, BUILT_IN_LIMITS]
  const tools = new Set(layers.flatMap((doc) => Object.keys(doc?.per_tool_limits ?? {})))
  const lines = [`every user, all tools together: ${texts(limitsForCall(documents, '', '').user)}`]
  for (const tool of [...tools].sort())
    lines.push(`  ${tool}: ${texts(limitsForCall(documents, '', tool).tool)}`)
  const users = Object.entries(documents.own?.users ?? {}).sort(([a], [b]) => a.localeCompare(b))
  for (const [username, override] of users) {
    lines.push(`user ${username}, all tools together: ${texts(limitsForCall(documents, username, '').user)}`)
    for (const tool of Object.keys(override.per_tool_limits ?? {}).sort()) {
      lines.push(`  ${tool}: ${texts(limitsForCall(documents, username, tool).tool)}`)
    }
  }
  const confirmed = new Set(
    [documents.own, documents.fallback].flatMap((doc) => Object.keys(doc?.confirm ?? {})),
  )
  for (const tool of [...confirmed].sort()) {
    const asks = confirmOverride(documents, tool)
    lines.push(
      `confirmation of ${tool}: ${asks === true ? 'asked' : 'not asked'} (overrides MCP_CONFIRM_DESTRUCTIVE)`,
    )
  }
  return lines
}

/**
 * The tenant's confirmation setting for a tool: its own document's, else `limits:default`'s; undefined
 * when neither names the tool (MCP_CONFIRM_DESTRUCTIVE decides).
 */
export function confirmOverride(documents: TenantDocuments, tool: string): boolean | undefined {
  return own(documents.own?.confirm, tool) ?? own(documents.fallback?.confirm, tool)
}

function texts(rules: readonly LimitRule[]): string {
  return rules.length === 0 ? 'no limit' : rules.map((rule) => rule.text).join(', ')
}
