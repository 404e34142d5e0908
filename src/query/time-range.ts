/**
 * Superset's time ranges (superset/utils/date_parser.py get_since_until), evaluated against the request
 * clock in UTC: "No filter"; "Last day|week|month|quarter|year" (from today's midnight back one unit to
 * today's midnight); "Current …" and "previous calendar …"; "Last N units" / "Next N units"; and
 * "<since> : <until>" where each side is an ISO date or datetime, now, today, yesterday, tomorrow,
 * "N units ago", "N units later", DATETIME("…"), DATEADD(DATETIME("…"), n, unit) or
 * DATETRUNC(DATETIME("…"), unit), or empty for an open end. The range is [since, until).
 * Anything else is refused rather than guessed.
 */
import { GatewayError } from '../errors'

export interface TimeRange {
  since: Date | null
  until: Date | null
}

type Unit = 'second' | 'minute' | 'hour' | 'day' | 'week' | 'month' | 'quarter' | 'year'
const UNITS = 'second|minute|hour|day|week|month|quarter|year'
// " : " between the ends; an open end leaves the colon at the start or the end of the text.
const SEPARATOR = /(?:^|\s):(?:\s|$)/

export function parseTimeRange(text: string | null | undefined, now: Date): TimeRange {
  const range = (text ?? '').trim()
  if (range === '' || /^no filter$/i.test(range)) return { since: null, until: null }
  if (SEPARATOR.test(range)) return explicitRange(range, now)
  const named = namedRange(range, now)
  if (named !== undefined) return named
  throw invalid(range)
}

/** A timestamp as PostgreSQL reads a naive `timestamp` literal. */
export function toSqlTimestamp(date: Date): string {
  return date
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d{3}Z$/, '')
    .replace(/Z$/, '')
}

function namedRange(range: string, now: Date): TimeRange | undefined {
  const today = startOf(now, 'day')
  const last = new RegExp(`^last (${UNITS})$`, 'i').exec(range)
  if (last) return { since: add(today, -1, unitOf(last[1]!)), until: today }
  const lastN = new RegExp(`^last (\\d+) (${UNITS})s?$`, 'i').exec(range)
  if (lastN) return { since: add(today, -Number(lastN[1]), unitOf(lastN[2]!)), until: today }
  const nextN = new RegExp(`^next (\\d+) (${UNITS})s?$`, 'i').exec(range)
  if (nextN) return { since: today, until: add(today, Number(nextN[1]), unitOf(nextN[2]!)) }
  const current = new RegExp(`^current (${UNITS})$`, 'i').exec(range)
  if (current) {
    const unit = unitOf(current[1]!)
    const since = startOf(now, unit)
    return { since, until: add(since, 1, unit) }
  }
  const previous = /^previous calendar (week|month|quarter|year)$/i.exec(range)
  if (previous) {
    const unit = unitOf(previous[1]!)
    const until = startOf(now, unit)
    return { since: add(until, -1, unit), until }
  }
  return undefined
}

function explicitRange(range: string, now: Date): TimeRange {
  const match = SEPARATOR.exec(range)!
  const [sinceText, untilText] = [
    range.slice(0, match.index).trim(),
    range.slice(match.index + match[0].length).trim(),
  ]
  const since = sinceText === '' ? null : pointInTime(sinceText, now, range)
  const until = untilText === '' ? null : pointInTime(untilText, now, range)
  if (since !== null && until !== null && since.getTime() > until.getTime()) {
    throw new GatewayError('ValidationError', `The time range "${range}" starts after it ends.`, {
      details: { reason: 'invalid_time_range' },
    })
  }
  return { since, until }
}

/** One side of "A : B", as Superset's time_range_lookup and parse_human_datetime read it. */
function pointInTime(text: string, now: Date, range: string): Date {
  const today = startOf(now, 'day')
  const lower = text.toLowerCase()
  const last = new RegExp(`^last (${UNITS})$`, 'i').exec(text)
  if (last) return add(today, -1, unitOf(last[1]!))
  const lastN = new RegExp(`^last (\\d+) (${UNITS})s?$`, 'i').exec(text)
  if (lastN) return add(today, -Number(lastN[1]), unitOf(lastN[2]!))
  const nextN = new RegExp(`^next (\\d+) (${UNITS})s?$`, 'i').exec(text)
  if (nextN) return add(today, Number(nextN[1]), unitOf(nextN[2]!))
  if (/^(datetime|dateadd|datetrunc)\s*\(/i.test(text)) return expression(text, now, range)
  if (lower === 'now') return new Date(now.getTime())
  if (lower === 'today') return today
  if (lower === 'yesterday') return add(today, -1, 'day')
  if (lower === 'tomorrow') return add(today, 1, 'day')
  const relative = new RegExp(`^(\\d+) (${UNITS})s? (ago|later)$`, 'i').exec(text)
  // parsedatetime resets to midnight when the phrase carries no time of day
  if (relative)
    return add(
      today,
      (relative[3]!.toLowerCase() === 'ago' ? -1 : 1) * Number(relative[1]),
      unitOf(relative[2]!),
    )
  const iso = isoDate(text)
  if (iso !== undefined) return iso
  throw invalid(range)
}

const DATETIME_CALL = /^datetime\s*\(\s*(["'])(.*?)\1\s*\)$/i
const DATEADD_CALL = new RegExp(`^dateadd\\s*\\((.+),\\s*(-?\\d+)\\s*,\\s*(${UNITS})s?\\s*\\)$`, 'i')
const DATETRUNC_CALL = new RegExp(`^datetrunc\\s*\\((.+),\\s*(${UNITS})\\s*\\)$`, 'i')

function expression(text: string, now: Date, range: string): Date {
  const trimmed = text.trim()
  const datetime = DATETIME_CALL.exec(trimmed)
  if (datetime) return pointInTime(datetime[2]!, now, range)
  const dateadd = DATEADD_CALL.exec(trimmed)
  if (dateadd) return add(expression(dateadd[1]!, now, range), Number(dateadd[2]), unitOf(dateadd[3]!))
  const datetrunc = DATETRUNC_CALL.exec(trimmed)
  if (datetrunc) return startOf(expression(datetrunc[1]!, now, range), unitOf(datetrunc[2]!))
  throw invalid(range)
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?)?$/

function isoDate(text: string): Date | undefined {
  const match = ISO_DATE.exec(text)
  if (!match) return undefined
  const [, year, month, day, hour = '0', minute = '0', second = '0', fraction = '0'] = match
  const date = new Date(
    Date.UTC(
      Number(year),
      Number(month) - 1,
      Number(day),
      Number(hour),
      Number(minute),
      Number(second),
      Number(fraction.padEnd(3, '0').slice(0, 3)),
    ),
  )
  if (date.getUTCMonth() !== Number(month) - 1 || date.getUTCDate() !== Number(day)) return undefined
  return date
}

function unitOf(text: string): Unit {
  return text.toLowerCase() as Unit
}

/** Adds whole units; months and years clamp the day to the month's end (dateutil's relativedelta). */
export function add(date: Date, amount: number, unit: Unit): Date {
  const result = new Date(date.getTime())
  switch (unit) {
    case 'second':
      return new Date(date.getTime() + amount * 1_000)
    case 'minute':
      return new Date(date.getTime() + amount * 60_000)
    case 'hour':
      return new Date(date.getTime() + amount * 3_600_000)
    case 'day':
      return new Date(date.getTime() + amount * 86_400_000)
    case 'week':
      return new Date(date.getTime() + amount * 7 * 86_400_000)
    case 'month':
    case 'quarter':
    case 'year': {
      const months = amount * (unit === 'month' ? 1 : unit === 'quarter' ? 3 : 12)
      const target = result.getUTCMonth() + months
      const lastDay = new Date(Date.UTC(result.getUTCFullYear(), target + 1, 0)).getUTCDate()
      result.setUTCDate(Math.min(result.getUTCDate(), lastDay))
      result.setUTCMonth(target)
      return result
    }
    default:
      return unit satisfies never
  }
}

/** The start of the unit containing `date` (weeks start on Monday, as in Superset). */
export function startOf(date: Date, unit: Unit): Date {
  const year = date.getUTCFullYear()
  const month = date.getUTCMonth()
  const day = date.getUTCDate()
  switch (unit) {
    case 'second':
      return new Date(Math.floor(date.getTime() / 1_000) * 1_000)
    case 'minute':
      return new Date(Math.floor(date.getTime() / 60_000) * 60_000)
    case 'hour':
      return new Date(Math.floor(date.getTime() / 3_600_000) * 3_600_000)
    case 'day':
      return new Date(Date.UTC(year, month, day))
    case 'week': {
      const weekday = (date.getUTCDay() + 6) % 7
      return new Date(Date.UTC(year, month, day - weekday))
    }
    case 'month':
      return new Date(Date.UTC(year, month, 1))
    case 'quarter':
      return new Date(Date.UTC(year, month - (month % 3), 1))
    case 'year':
      return new Date(Date.UTC(year, 0, 1))
    default:
      return unit satisfies never
  }
}

function invalid(range: string): GatewayError {
  return new GatewayError(
    'ValidationError',
    `The time range "${range}" is not understood. Use "No filter", "Last day|week|month|quarter|year", ` +
      '"Current month", "previous calendar month", "Last 7 days", or "<since> : <until>" with ISO dates ' +
      '(2026-01-01), now, today, "30 days ago", DATEADD(DATETIME("now"), -7, day).',
    { details: { reason: 'invalid_time_range', time_range: range } },
  )
}
