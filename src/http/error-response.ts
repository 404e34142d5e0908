import type { Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { asGatewayError, toErrorBody, type GatewayError } from '../errors'
import { describeError } from '../observability'
import type { AppEnv } from './app-env'

/** The only place a GatewayError becomes an HTTP response (design §5). */
export function errorResponse(c: Context<AppEnv>, err: GatewayError): Response {
  return c.json(toErrorBody(err), err.status as ContentfulStatusCode, err.headers)
}

export function onError(err: unknown, c: Context<AppEnv>): Response {
  const failure = asGatewayError(err)
  const log = c.get('log')
  const fields = {
    error_type: failure.type,
    status: failure.status,
    ...(failure.cause === undefined ? {} : describeError(failure.cause)),
  }
  if (failure.status >= 500) log?.error('request_failed', fields)
  else log?.debug('request_rejected', fields)
  return errorResponse(c, failure)
}
