/**
 * Functions on the allow-list whose output size is set by an argument: the gateway knows that size
 * before the statement runs, or refuses it. A set-returning function in FROM materialises all its rows
 * before an outer LIMIT applies, and a padded string is allocated whole, so a statement timeout alone
 * would still let one call fill the server's disk or memory.
 */
import { nameList, numberField, stringField, unwrap, type TreeNode } from './tree'

/** At most this many rows from one generate_series call. */
export const MAX_SERIES_ROWS = 1_000_000
/** At most this many characters from one repeat/lpad/rpad call or one format() field width. */
export const MAX_GENERATED_LENGTH = 100_000

export type BoundCheck = { ok: true } | { ok: false; why: string }

const OK: BoundCheck = { ok: true }

/** The bound check of an allowed function call, or OK when its size does not depend on arguments. */
export function checkBounds(name: string, args: readonly TreeNode[], now: number): BoundCheck {
  switch (name) {
    case 'generate_series':
      return seriesBound(args, now)
    case 'repeat':
      return repeatBound(args)
    case 'lpad':
    case 'rpad':
      return padBound(name, args)
    case 'format':
      return formatBound(args)
    default:
      return OK
  }
}

type Constant =
  | { kind: 'number'; value: number }
  | { kind: 'text'; value: string }
  | { kind: 'time'; value: number }
  | { kind: 'interval'; ms: number; months: number }

const DAY_MS = 86_400_000

function seriesBound(args: readonly TreeNode[], now: number): BoundCheck {
  const refuse = (why: string): BoundCheck => ({
    ok: false,
    why: `generate_series needs constant bounds the gateway can size before it runs (${why}); it may produce at most ${MAX_SERIES_ROWS.toLocaleString('en-US')} rows`,
  })
  if (args.length < 2 || args.length > 4) return refuse('it takes a start, a stop and a step')
  const [start, stop, step] = args.slice(0, 3).map((arg) => constantOf(arg, now))
  if (start === undefined || stop === undefined) return refuse('its start and stop are not constants')
  if (args.length >= 3 && step === undefined) return refuse('its step is not a constant')
  let rows: number
  if (start.kind === 'number' && stop.kind === 'number') {
    const by = step === undefined ? 1 : step.kind === 'number' ? step.value : Number.NaN
    if (!Number.isFinite(by)) return refuse('its step is not a number')
    rows = by === 0 ? Number.POSITIVE_INFINITY : Math.floor((stop.value - start.value) / by) + 1
  } else {
    const from = asTime(start)
    const to = asTime(stop)
    if (from === undefined || to === undefined)
      return refuse('its start and stop are not dates or timestamps')
    if (step === undefined || step.kind !== 'interval') return refuse('a date series needs an interval step')
    // Months are counted as 28 days: the shortest month gives the largest possible number of rows.
    const stepMs = step.ms + step.months * 28 * DAY_MS
    rows = stepMs === 0 ? Number.POSITIVE_INFINITY : Math.floor((to - from) / stepMs) + 1
  }
  if (!(rows <= MAX_SERIES_ROWS)) {
    return refuse(
      `this call would produce ${Number.isFinite(rows) ? rows.toLocaleString('en-US') : 'unbounded'} rows`,
    )
  }
  return OK
}

function repeatBound(args: readonly TreeNode[]): BoundCheck {
  const count = integerLiteral(args[1])
  if (count === undefined)
    return { ok: false, why: `repeat needs a literal count (at most ${MAX_GENERATED_LENGTH} characters)` }
  const text = args[0] === undefined ? undefined : constantOf(args[0], 0)
  const unit = text?.kind === 'text' ? Math.max(1, text.value.length) : 1
  if (count * unit > MAX_GENERATED_LENGTH) {
    return { ok: false, why: `repeat may produce at most ${MAX_GENERATED_LENGTH} characters` }
  }
  return OK
}

function padBound(name: string, args: readonly TreeNode[]): BoundCheck {
  const length = integerLiteral(args[1])
  if (length === undefined || length > MAX_GENERATED_LENGTH) {
    return { ok: false, why: `${name} needs a literal length of at most ${MAX_GENERATED_LENGTH}` }
  }
  return OK
}

// %[position$][flags][width][type]; width may be `*` or `*n$` (taken from an argument).
const FORMAT_SPEC = /%(?:%|(\d+\$)?(-)?(\*(?:\d+\$)?|\d+)?([sIL]))/g

function formatBound(args: readonly TreeNode[]): BoundCheck {
  const template = args[0] === undefined ? undefined : constantOf(args[0], 0)
  if (template?.kind !== 'text') return { ok: false, why: 'format needs a literal format string' }
  for (const match of template.value.matchAll(FORMAT_SPEC)) {
    const width = match[3]
    if (width === undefined) continue
    if (width.startsWith('*'))
      return { ok: false, why: 'format widths taken from arguments (*) are not allowed' }
    if (Number(width) > MAX_GENERATED_LENGTH) {
      return { ok: false, why: `format field widths may be at most ${MAX_GENERATED_LENGTH}` }
    }
  }
  return OK
}

function integerLiteral(node: TreeNode | undefined): number | undefined {
  if (node === undefined) return undefined
  const value = constantOf(node, 0)
  return value?.kind === 'number' && Number.isInteger(value.value) ? value.value : undefined
}

function asTime(value: Constant): number | undefined {
  if (value.kind === 'time') return value.value
  if (value.kind === 'text') return parseTime(value.value)
  return undefined
}

function parseTime(text: string): number | undefined {
  const trimmed = text.trim()
  if (!/^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}(:?\d{2})?)?$/.test(trimmed))
    return undefined
  const parsed = Date.parse(trimmed.replace(' ', 'T'))
  return Number.isNaN(parsed) ? undefined : parsed
}

/** The value of a constant argument: literals, casts of literals, now()/CURRENT_*, ± and unary minus. */
function constantOf(node: TreeNode, now: number): Constant | undefined {
  switch (node.type) {
    case 'A_Const':
      return literal(node)
    case 'TypeCast':
      return castConstant(node, now)
    case 'SQLValueFunction':
      return /^SVFOP_(CURRENT_DATE|CURRENT_TIMESTAMP|LOCALTIMESTAMP)/.test(stringField(node.body, 'op') ?? '')
        ? { kind: 'time', value: now }
        : undefined
    case 'FuncCall': {
      const name = nameList(node.body.funcname)
      const bare = name[name.length - 1]
      const args = node.body.args
      return bare !== undefined &&
        ['now', 'transaction_timestamp', 'statement_timestamp', 'clock_timestamp'].includes(bare) &&
        (name.length === 1 || name[0] === 'pg_catalog') &&
        (args === undefined || (Array.isArray(args) && args.length === 0))
        ? { kind: 'time', value: now }
        : undefined
    }
    case 'A_Expr':
      return arithmetic(node, now)
    default:
      return undefined
  }
}

function literal(node: TreeNode): Constant | undefined {
  const body = node.body
  if (body.isnull === true) return undefined
  if (body.ival !== undefined)
    return { kind: 'number', value: numberField(body.ival as Record<string, unknown>, 'ival') ?? 0 }
  if (body.fval !== undefined) {
    const value = Number(stringField(body.fval as Record<string, unknown>, 'fval'))
    return Number.isFinite(value) ? { kind: 'number', value } : undefined
  }
  if (body.sval !== undefined) {
    const value = stringField(body.sval as Record<string, unknown>, 'sval')
    return value === undefined ? undefined : { kind: 'text', value }
  }
  return undefined
}

function castConstant(node: TreeNode, now: number): Constant | undefined {
  const inner = node.body.arg === undefined ? undefined : constantOf(unwrap(node.body.arg), now)
  const typeName = node.body.typeName as Record<string, unknown> | undefined
  const names = nameList(typeName?.names)
  const type = names[names.length - 1]
  if (inner === undefined || type === undefined) return undefined
  if (['int2', 'int4', 'int8', 'numeric', 'float4', 'float8'].includes(type)) {
    const value =
      inner.kind === 'number' ? inner.value : inner.kind === 'text' ? Number(inner.value) : Number.NaN
    return Number.isFinite(value) ? { kind: 'number', value } : undefined
  }
  if (['date', 'timestamp', 'timestamptz'].includes(type)) {
    const value = asTime(inner)
    return value === undefined ? undefined : { kind: 'time', value }
  }
  if (type === 'interval' && inner.kind === 'text') return parseInterval(inner.value)
  return undefined
}

function arithmetic(node: TreeNode, now: number): Constant | undefined {
  if (node.body.kind !== 'AEXPR_OP') return undefined
  const operator = nameList(node.body.name).join('.')
  const right = node.body.rexpr === undefined ? undefined : constantOf(unwrap(node.body.rexpr), now)
  const left = node.body.lexpr === undefined ? undefined : constantOf(unwrap(node.body.lexpr), now)
  if (right === undefined) return undefined
  if (left === undefined) {
    if (node.body.lexpr !== undefined || operator !== '-') return undefined
    return right.kind === 'number' ? { kind: 'number', value: -right.value } : undefined
  }
  if (operator !== '+' && operator !== '-') return undefined
  const sign = operator === '+' ? 1 : -1
  if (left.kind === 'number' && right.kind === 'number')
    return { kind: 'number', value: left.value + sign * right.value }
  const time = asTime(left)
  if (time !== undefined && right.kind === 'interval') {
    // Months as 31 days either way: an upper bound for the series' span, never an underestimate.
    return { kind: 'time', value: time + sign * (right.ms + right.months * 31 * DAY_MS) }
  }
  return undefined
}

const INTERVAL_UNITS: Record<string, { ms: number; months: number }> = {
  microsecond: { ms: 0.001, months: 0 },
  millisecond: { ms: 1, months: 0 },
  second: { ms: 1000, months: 0 },
  minute: { ms: 60_000, months: 0 },
  hour: { ms: 3_600_000, months: 0 },
  day: { ms: DAY_MS, months: 0 },
  week: { ms: 7 * DAY_MS, months: 0 },
  month: { ms: 0, months: 1 },
  year: { ms: 0, months: 12 },
  decade: { ms: 0, months: 120 },
  century: { ms: 0, months: 1200 },
}

/** `'1 day'`, `'2 hours 30 minutes'`, `'1 mon'`; other interval spellings are not sized (refused). */
function parseInterval(text: string): Constant | undefined {
  const parts = [
    ...text
      .trim()
      .toLowerCase()
      .matchAll(/(-?\d+(?:\.\d+)?)\s*([a-z]+)/g),
  ]
  if (
    parts.length === 0 ||
    parts.map((part) => part[0]).join(' ') !== text.trim().toLowerCase().replace(/\s+/g, ' ')
  )
    return undefined
  let ms = 0
  let months = 0
  for (const [, amount, rawUnit] of parts) {
    const unit = unitOf(rawUnit!)
    if (unit === undefined) return undefined
    ms += Number(amount) * unit.ms
    months += Number(amount) * unit.months
  }
  return { kind: 'interval', ms, months }
}

function unitOf(word: string): { ms: number; months: number } | undefined {
  const aliases: Record<string, string> = {
    us: 'microsecond',
    usec: 'microsecond',
    ms: 'millisecond',
    msec: 'millisecond',
    s: 'second',
    sec: 'second',
    secs: 'second',
    m: 'minute',
    min: 'minute',
    mins: 'minute',
    h: 'hour',
    hr: 'hour',
    hrs: 'hour',
    d: 'day',
    w: 'week',
    mon: 'month',
    mons: 'month',
    y: 'year',
    yr: 'year',
    yrs: 'year',
  }
  const singular =
    word.endsWith('s') && INTERVAL_UNITS[word.slice(0, -1)] !== undefined ? word.slice(0, -1) : word
  return INTERVAL_UNITS[aliases[word] ?? singular]
}
