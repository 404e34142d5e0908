/**
 * Superset's time grains for PostgreSQL (PostgresEngineSpec._time_grain_expressions): ISO-8601
 * durations mapped to date_trunc expressions around a column expression.
 */
import { GatewayError } from '../errors'

const GRAINS: Record<string, (column: string) => string> = {
  PT1S: (c) => `DATE_TRUNC('second', ${c})`,
  PT1M: (c) => `DATE_TRUNC('minute', ${c})`,
  PT5M: (c) => `DATE_TRUNC('hour', ${c}) + INTERVAL '5 minutes' * FLOOR(EXTRACT(MINUTE FROM ${c}) / 5)`,
  PT10M: (c) => `DATE_TRUNC('hour', ${c}) + INTERVAL '10 minutes' * FLOOR(EXTRACT(MINUTE FROM ${c}) / 10)`,
  PT15M: (c) => `DATE_TRUNC('hour', ${c}) + INTERVAL '15 minutes' * FLOOR(EXTRACT(MINUTE FROM ${c}) / 15)`,
  PT30M: (c) => `DATE_TRUNC('hour', ${c}) + INTERVAL '30 minutes' * FLOOR(EXTRACT(MINUTE FROM ${c}) / 30)`,
  PT1H: (c) => `DATE_TRUNC('hour', ${c})`,
  P1D: (c) => `DATE_TRUNC('day', ${c})`,
  P1W: (c) => `DATE_TRUNC('week', ${c})`,
  P1M: (c) => `DATE_TRUNC('month', ${c})`,
  P3M: (c) => `DATE_TRUNC('quarter', ${c})`,
  P1Y: (c) => `DATE_TRUNC('year', ${c})`,
  // weeks starting on Sunday / ending on Saturday
  '1969-12-28T00:00:00Z/P1W': (c) => `DATE_TRUNC('week', ${c} + INTERVAL '1 day') - INTERVAL '1 day'`,
  'P1W/1970-01-03T00:00:00Z': (c) => `DATE_TRUNC('week', ${c} + INTERVAL '1 day') + INTERVAL '5 days'`,
}

export const TIME_GRAINS = Object.keys(GRAINS)

/**
 * The column truncated to the grain. The result is cast to a naive timestamp in the session's time
 * zone (UTC), so DATE and TIMESTAMP columns give the same shape.
 */
export function applyTimeGrain(columnSql: string, grain: string | null | undefined): string {
  if (grain === null || grain === undefined || grain === '') return columnSql
  const expression = GRAINS[grain]
  if (expression === undefined) {
    throw new GatewayError(
      'ValidationError',
      `Unknown time grain "${grain}". Use one of: ${TIME_GRAINS.join(', ')}.`,
      { details: { reason: 'invalid_time_grain', time_grain: grain } },
    )
  }
  return `CAST(${expression(columnSql)} AS TIMESTAMP)`
}
