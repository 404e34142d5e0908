/**
 * Constants the gateway can read in a parse tree before the statement runs, and the bound of the one
 * function whose output is rows made from nothing: generate_series. Numbers are read exactly (decimal
 * digits in BigInt, never doubles): `1e30 + 2000000` is two million past 1e30, not 1e30.
 */
import { nameList, numberField, stringField, unwrap, type TreeNode } from './tree'

/** At most this many rows from one generate_series call. */
export const MAX_SERIES_ROWS = 1_000_000

type BoundCheck = { ok: true } | { ok: false; why: string }

const OK: BoundCheck = { ok: true }

/** An exact decimal: `units × 10^-scale`. */
export interface Decimal {
  units: bigint
  scale: number
}

type Constant =
  | { kind: 'number'; value: Decimal }
  | { kind: 'text'; value: string }
  /** `slack`: how much earlier or later the server's value may be (a truncation, a time zone). */
  | { kind: 'time'; value: number; slack: number }
  | { kind: 'interval'; value: Interval }

/** PostgreSQL keeps an interval's months, days and time apart; a day is 24 hours here (UTC). */
interface Interval {
  months: number
  days: number
  ms: number
}

const DAY_MS = 86_400_000

/** Rows of a generate_series call, known before it runs, or why the gateway cannot know them. */
export function seriesBound(args: readonly TreeNode[], now: number): BoundCheck {
  const refuse = (why: string): BoundCheck => ({
    ok: false,
    why: `generate_series needs constant bounds the gateway can size before it runs (${why}); it may produce at most ${MAX_SERIES_ROWS.toLocaleString('en-US')} rows`,
  })
  if (args.length < 2 || args.length > 4) return refuse('it takes a start, a stop and a step')
  const [start, stop, step] = args.slice(0, 3).map((arg) => constantOf(arg, now))
  if (start === undefined || stop === undefined) return refuse('its start and stop are not constants')
  if (args.length >= 3 && step === undefined) return refuse('its step is not a constant')
  let rows: bigint
  if (start.kind === 'number' && stop.kind === 'number') {
    const by = step === undefined ? { units: 1n, scale: 0 } : step.kind === 'number' ? step.value : undefined
    if (by === undefined) return refuse('its step is not a number')
    if (by.units === 0n) return refuse('its step is zero')
    rows = numericRows(start.value, stop.value, by)
  } else {
    const from = timeOf(start)
    const to = timeOf(stop)
    if (from === undefined || to === undefined)
      return refuse('its start and stop are not dates or timestamps')
    const interval =
      step?.kind === 'interval' ? step.value : step?.kind === 'text' ? parseInterval(step.value) : undefined
    if (interval === undefined) return refuse('a date series needs an interval step')
    const signs = new Set(
      [interval.months, interval.days, interval.ms].filter((part) => part !== 0).map(Math.sign),
    )
    // '1 month -29 days' moves forward some months and backward in others: its row count has no bound.
    if (signs.size > 1) return refuse('its step mixes forward and backward parts')
    // Months are counted as 28 days: the shortest month gives the largest possible number of rows. The
    // server keeps whole microseconds: a smaller part is rounded, so it is not counted.
    const stepMs =
      Math.trunc(interval.ms * 1000) / 1000 + interval.days * DAY_MS + interval.months * 28 * DAY_MS
    if (stepMs === 0) return refuse('its step is zero')
    // The largest distance the server's bounds can be apart in the step's direction.
    const slack = to.slack + from.slack
    const span = stepMs > 0 ? to.value - from.value + slack : from.value - to.value + slack
    const count = span < 0 ? 0 : Math.floor(span / Math.abs(stepMs)) + 1
    rows = BigInt(Number.isFinite(count) ? Math.min(count, Number.MAX_SAFE_INTEGER) : Number.MAX_SAFE_INTEGER)
  }
  if (rows > BigInt(MAX_SERIES_ROWS)) {
    return refuse(`this call would produce ${rows.toLocaleString('en-US')} rows`)
  }
  return OK
}

/** floor((stop - start) / step) + 1, exactly; 0 when the step points away from stop. */
function numericRows(start: Decimal, stop: Decimal, step: Decimal): bigint {
  const scale = Math.max(start.scale, stop.scale, step.scale)
  const span = rescale(stop, scale) - rescale(start, scale)
  const by = rescale(step, scale)
  if (span !== 0n && span > 0n !== by > 0n) return 0n
  return span / by + 1n
}

function rescale(value: Decimal, scale: number): bigint {
  return value.units * 10n ** BigInt(scale - value.scale)
}

/** A constant integer argument (a count, a length), or undefined when it is not one. */
export function integerConstant(node: TreeNode | undefined): bigint | undefined {
  if (node === undefined) return undefined
  const value = constantOf(node, 0)
  if (value?.kind !== 'number') return undefined
  const { units, scale } = value.value
  const divisor = 10n ** BigInt(scale)
  return units % divisor === 0n ? units / divisor : undefined
}

/** A constant text argument (a format string, a replacement), or undefined when it is not one. */
export function textConstant(node: TreeNode | undefined): string | undefined {
  if (node === undefined) return undefined
  const value = constantOf(node, 0)
  return value?.kind === 'text' ? value.value : undefined
}

/** `'12'`, `-1.5`, `1e30`, `.5` → an exact decimal; anything else (NaN, Infinity, hex) → undefined. */
export function parseDecimal(text: string): Decimal | undefined {
  const match = /^\s*([+-]?)(\d*)(?:\.(\d*))?(?:e([+-]?\d{1,6}))?\s*$/i.exec(text)
  if (match === null) return undefined
  const [, sign = '', whole = '', fraction = '', exponentText] = match
  if (whole === '' && fraction === '') return undefined
  const exponent = exponentText === undefined ? 0 : Number(exponentText)
  let units = BigInt(`${whole}${fraction}` || '0')
  let scale = fraction.length - exponent
  if (scale < 0) {
    units *= 10n ** BigInt(-scale)
    scale = 0
  }
  return { units: sign === '-' ? -units : units, scale }
}

/**
 * A timestamp written as text may carry an offset the server ignores (for timestamp) or lack one the
 * session's time zone supplies: read as UTC, it may be off by up to 26 hours either way.
 */
const TEXT_TIME_SLACK_MS = 26 * 3_600_000

function timeOf(value: Constant): { value: number; slack: number } | undefined {
  if (value.kind === 'time') return value
  if (value.kind === 'text') {
    const parsed = parseTime(value.value)
    return parsed === undefined ? undefined : { value: parsed, slack: TEXT_TIME_SLACK_MS }
  }
  return undefined
}

/** The longest each date_trunc unit can be: a truncated time is at most this much earlier. */
const TRUNCATION_MS: Record<string, number> = {
  microseconds: 0,
  milliseconds: 1,
  second: 1000,
  minute: 60_000,
  hour: 3_600_000,
  day: DAY_MS,
  week: 7 * DAY_MS,
  month: 31 * DAY_MS,
  quarter: 92 * DAY_MS,
  year: 366 * DAY_MS,
  decade: 3653 * DAY_MS,
  century: 36525 * DAY_MS,
  millennium: 365250 * DAY_MS,
}

/** now() and friends; date_trunc('unit', <time constant>), as the time with the unit as slack. */
function timeFunction(node: TreeNode, now: number): Constant | undefined {
  const name = nameList(node.body.funcname)
  const bare = name[name.length - 1]
  if (bare === undefined || (name.length > 1 && name[0] !== 'pg_catalog')) return undefined
  const args = (Array.isArray(node.body.args) ? node.body.args : []).map((arg) => unwrap(arg))
  if (['now', 'transaction_timestamp', 'statement_timestamp', 'clock_timestamp'].includes(bare))
    return args.length === 0 ? { kind: 'time', value: now, slack: 0 } : undefined
  if (bare === 'date_trunc' && args.length === 2) {
    const unit = constantOf(args[0]!, now)
    const time = constantOf(args[1]!, now)
    const truncation = unit?.kind === 'text' ? TRUNCATION_MS[unit.value.toLowerCase()] : undefined
    const at = time === undefined ? undefined : timeOf(time)
    if (truncation === undefined || at === undefined) return undefined
    return { kind: 'time', value: at.value, slack: at.slack + truncation }
  }
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
        ? { kind: 'time', value: now, slack: 0 }
        : undefined
    case 'FuncCall':
      return timeFunction(node, now)
    case 'A_Expr':
      return arithmetic(node, now)
    default:
      return undefined
  }
}

function literal(node: TreeNode): Constant | undefined {
  const body = node.body
  if (body.isnull === true) return undefined
  if (body.ival !== undefined) {
    const value = numberField(body.ival as Record<string, unknown>, 'ival') ?? 0
    return { kind: 'number', value: { units: BigInt(value), scale: 0 } }
  }
  if (body.fval !== undefined) {
    const value = parseDecimal(stringField(body.fval as Record<string, unknown>, 'fval') ?? '')
    return value === undefined ? undefined : { kind: 'number', value }
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
  if (['int2', 'int4', 'int8', 'numeric'].includes(type)) {
    const value =
      inner.kind === 'number' ? inner.value : inner.kind === 'text' ? parseDecimal(inner.value) : undefined
    return value === undefined ? undefined : { kind: 'number', value }
  }
  if (['date', 'timestamp', 'timestamptz'].includes(type)) {
    const value = timeOf(inner)?.value
    return value === undefined ? undefined : { kind: 'time', value, slack: TEXT_TIME_SLACK_MS }
  }
  if (type === 'interval' && inner.kind === 'text') {
    const value = parseInterval(inner.value)
    return value === undefined ? undefined : { kind: 'interval', value }
  }
  if (['text', 'varchar', 'jsonpath'].includes(type) && inner.kind === 'text') return inner
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
    return right.kind === 'number'
      ? { kind: 'number', value: { units: -right.value.units, scale: right.value.scale } }
      : undefined
  }
  if (operator !== '+' && operator !== '-') return undefined
  const sign = operator === '+' ? 1n : -1n
  if (left.kind === 'number' && right.kind === 'number') {
    const scale = Math.max(left.value.scale, right.value.scale)
    return {
      kind: 'number',
      value: { units: rescale(left.value, scale) + sign * rescale(right.value, scale), scale },
    }
  }
  const time = timeOf(left)
  const interval =
    right.kind === 'interval'
      ? right.value
      : right.kind === 'number' && right.value.scale === 0
        ? { months: 0, days: Number(right.value.units), ms: 0 } // date ± integer: days
        : right.kind === 'text'
          ? parseInterval(right.value)
          : undefined
  if (time !== undefined && interval !== undefined) {
    const { months, days, ms } = interval
    // Months as 31 days, whatever their sign: an upper bound for the series' span, never an underestimate.
    const span = ms + days * DAY_MS + months * 31 * DAY_MS
    return { kind: 'time', value: time.value + Number(sign) * span, slack: time.slack }
  }
  return undefined
}

const INTERVAL_UNITS: Record<string, Interval> = {
  microsecond: { months: 0, days: 0, ms: 0.001 },
  millisecond: { months: 0, days: 0, ms: 1 },
  second: { months: 0, days: 0, ms: 1000 },
  minute: { months: 0, days: 0, ms: 60_000 },
  hour: { months: 0, days: 0, ms: 3_600_000 },
  day: { months: 0, days: 1, ms: 0 },
  week: { months: 0, days: 7, ms: 0 },
  month: { months: 1, days: 0, ms: 0 },
  year: { months: 12, days: 0, ms: 0 },
  decade: { months: 120, days: 0, ms: 0 },
  century: { months: 1200, days: 0, ms: 0 },
}

/** `'1 day'`, `'2 hours 30 minutes'`, `'1 mon'`; other interval spellings are not sized (refused). */
function parseInterval(text: string): Interval | undefined {
  const normalised = text.trim().toLowerCase().replace(/\s+/g, ' ')
  const parts = [...normalised.matchAll(/([+-]?\d+(?:\.\d+)?)\s*([a-z]+)/g)]
  if (parts.length === 0 || parts.map((part) => part[0]).join(' ') !== normalised) return undefined
  const total: Interval = { months: 0, days: 0, ms: 0 }
  for (const [, amount, rawUnit] of parts) {
    const unit = unitOf(rawUnit!)
    if (unit === undefined) return undefined
    total.months += Number(amount) * unit.months
    total.days += Number(amount) * unit.days
    total.ms += Number(amount) * unit.ms
  }
  return total
}

const UNIT_ALIASES: Record<string, string> = {
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

function unitOf(word: string): Interval | undefined {
  const singular =
    word.endsWith('s') && INTERVAL_UNITS[word.slice(0, -1)] !== undefined ? word.slice(0, -1) : word
  return INTERVAL_UNITS[UNIT_ALIASES[word] ?? singular]
}

/** One `%…` of a format() string, as PostgreSQL's text_format reads it. */
export interface FormatSpec {
  /** `*`: the width comes from an argument. */
  width: number | '*'
  /** s, I or L. */
  type: string
}

/**
 * The specifications of a format() string, read with the server's grammar
 * (`%[position$][-…][width|*|*position$]type`, `%%`), or why it cannot be read. A specification the
 * server would read differently or refuse is refused here.
 */
export function formatSpecs(template: string): FormatSpec[] | string {
  const specs: FormatSpec[] = []
  let at = 0
  const digits = (): number | undefined => {
    const match = /^\d+/.exec(template.slice(at))
    if (match === null) return undefined
    at += match[0].length
    return match[0].length > 10 ? Number.POSITIVE_INFINITY : Number(match[0])
  }
  while ((at = template.indexOf('%', at)) !== -1) {
    at += 1
    if (template[at] === '%') {
      at += 1
      continue
    }
    let width: number | '*'
    const first = digits()
    if (first !== undefined && template[at] !== '$') {
      width = first
    } else {
      if (first !== undefined) at += 1
      while (template[at] === '-') at += 1
      if (template[at] === '*') {
        at += 1
        width = '*'
        if (digits() !== undefined) {
          if (template[at] !== '$') return 'a width position must end with $'
          at += 1
        }
      } else {
        width = digits() ?? 0
      }
    }
    const type = template[at]
    if (type === undefined || !['s', 'I', 'L'].includes(type))
      return `"%${template.slice(at, at + 1)}" is not a format() type the server knows (s, I, L)`
    if (width !== '*' && width > 2_147_483_647) return 'a field width is out of range'
    at += 1
    specs.push({ width, type })
  }
  return specs
}
