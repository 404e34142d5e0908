/**
 * Relative times as Superset shows them (`changed_on_humanized`: "3 days ago"), following the wording
 * of the Python `humanize.naturaltime` that Superset uses.
 */
const MINUTE = 60
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

export function naturalTime(then: Date, now: Date): string {
  const seconds = Math.round((now.getTime() - then.getTime()) / 1000)
  const future = seconds < 0
  const delta = Math.abs(seconds)
  const phrase = naturalDelta(delta, then, now)
  if (phrase === 'now') return phrase
  return future ? `${phrase} from now` : `${phrase} ago`
}

function naturalDelta(seconds: number, then: Date, now: Date): string {
  if (seconds === 0) return 'now'
  if (seconds === 1) return 'a second'
  if (seconds < MINUTE) return `${seconds} seconds`
  if (seconds < 2 * MINUTE) return 'a minute'
  if (seconds < HOUR) return `${Math.floor(seconds / MINUTE)} minutes`
  if (seconds < 2 * HOUR) return 'an hour'
  if (seconds < DAY) return `${Math.floor(seconds / HOUR)} hours`
  const days = Math.floor(seconds / DAY)
  if (days === 1) return 'a day'
  if (days < 30) return `${days} days`
  const months = wholeMonths(then, now)
  if (days < 365) {
    if (months <= 1) return 'a month'
    return `${months} months`
  }
  const years = Math.floor(days / 365)
  const restMonths = Math.floor((days % 365) / 30.5)
  const yearText = years === 1 ? '1 year' : `${years} years`
  if (years === 1 && restMonths === 0) return 'a year'
  if (restMonths === 0) return yearText
  return `${yearText}, ${restMonths === 1 ? '1 month' : `${restMonths} months`}`
}

function wholeMonths(a: Date, b: Date): number {
  const [from, to] = a < b ? [a, b] : [b, a]
  return Math.max(1, Math.round((to.getTime() - from.getTime()) / (30.5 * DAY * 1000)))
}
