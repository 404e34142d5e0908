/**
 * The one path every tool call takes, whether it came over MCP or plain HTTP: find the tool (hidden
 * tools do not exist for the caller), admit it against the caller's limits, run it, and log the outcome.
 */
import { asGatewayError, GatewayError } from '../errors'
import { describeError } from '../observability'
import { findVisibleTool, invokeTool, toolsVisibleTo, type AnyToolDefinition } from '../tools'
import type { RequestScope } from './scope'

export interface Dispatcher {
  listTools(): Promise<AnyToolDefinition[]>
  callTool(name: string, args: unknown): Promise<unknown>
}

export function unknownToolError(name: string): GatewayError {
  return new GatewayError('NotFoundError', `Unknown tool: ${name}`, {
    details: { resource_type: 'tool', resource_id: name },
  })
}

export function createDispatcher(scope: RequestScope): Dispatcher {
  return {
    listTools: async () => toolsVisibleTo(await scope.principal()),
    callTool: async (name, args) => {
      const started = Date.now()
      const principal = await scope.principal()
      const tool = findVisibleTool(name, principal)
      if (tool === undefined) throw unknownToolError(name)
      const admission = await scope.services.limiter.admit({
        tenant: principal.tenant,
        userId: principal.user.id,
        username: principal.user.username,
        tool: name,
      })
      for (const [header, value] of Object.entries(admission.headers))
        scope.responseHeaders.set(header, value)
      if (!admission.allowed) {
        scope.log.info('tool_call', { tool: name, user_id: principal.user.id, outcome: 'rate_limited' })
        throw admission.error
      }
      try {
        const result = await invokeTool(tool, args, await scope.toolContext())
        scope.log.info('tool_call', {
          tool: name,
          user_id: principal.user.id,
          outcome: 'success',
          duration_ms: Date.now() - started,
        })
        return result
      } catch (err) {
        const failure = asGatewayError(err)
        const level = failure.status >= 500 ? 'error' : 'info'
        scope.log[level]('tool_call', {
          tool: name,
          user_id: principal.user.id,
          outcome: 'error',
          error_type: failure.type,
          duration_ms: Date.now() - started,
          ...(failure.cause === undefined ? {} : describeError(failure.cause)),
        })
        throw failure
      }
    },
  }
}
