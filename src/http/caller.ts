import type { Context, MiddlewareHandler } from 'hono'
import { createRequestScope, type CallServices } from '../dispatch'
import type { AppEnv } from './app-env'

/**
 * Creates the request scope and resolves the caller's Superset user before any work (an unknown or
 * inactive user is refused here, with 403). Headers the calls produced (quota, Retry-After) go on the
 * response; the metadata pool closes once the response body has been sent.
 */
export function resolveCaller(services: (c: Context<AppEnv>) => CallServices): MiddlewareHandler<AppEnv> {
  return async function resolveCaller(c, next) {
    const scope = createRequestScope({
      requestId: c.get('requestId'),
      config: c.get('config'),
      log: c.get('log'),
      identity: c.get('identity'),
      services: services(c),
      transport: new URL(c.req.url).pathname === '/mcp' ? 'mcp' : 'http',
      traceId: () => c.get('facts').trace?.traceId,
      auditQueue: c.env.AUDIT_QUEUE,
    })
    c.set('scope', scope)
    // After the response: the audit rows, then the pool.
    const close = (): void => c.executionCtx.waitUntil(scope.finish())
    try {
      await scope.principal()
      await next()
    } catch (err) {
      close()
      throw err
    }
    scope.responseHeaders.forEach((value, name) => c.res.headers.set(name, value))
    c.res = afterBody(c.res, close)
  }
}

/** Runs `done` once the response body has been read to the end, cancelled or failed (at once without a body). */
export function afterBody(response: Response, done: () => void): Response {
  if (response.body === null) {
    done()
    return response
  }
  let finished = false
  const finish = (): void => {
    if (!finished) {
      finished = true
      done()
    }
  }
  const reader = response.body.getReader()
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done: ended, value } = await reader.read()
        if (ended) {
          controller.close()
          finish()
        } else controller.enqueue(value)
      } catch (err) {
        controller.error(err)
        finish()
      }
    },
    async cancel(reason) {
      finish()
      await reader.cancel(reason)
    },
  })
  return new Response(body, response)
}
