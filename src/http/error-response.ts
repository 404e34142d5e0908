import type { Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { asGatewayError, describeError, type GatewayError, toErrorBody } from '../errors'
import { type RequestFacts } from '../observability'
import type { AppEnv } from './app-env'

/**
 * The only place a GatewayError becomes an HTTP response (design §5). The failure joins the request's
 * facts: the access line, the metrics and Sentry read it there once the request is done.
 */
export function errorResponse(c: Context<AppEnv>, err: GatewayError): Response {
  const facts = c.get('facts') as RequestFacts | undefined
  if (facts !== undefined) facts.failure = err
  return c.json(toErrorBody(err), err.status as ContentfulStatusCode, err.headers)
}

/**
 * Everything thrown on the way: a GatewayError keeps its type and message; anything else is an
 * InternalError whose text is generic (the cause goes to the logs and Sentry, never to the caller).
 */
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
