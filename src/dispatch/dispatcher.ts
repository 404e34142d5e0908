/**
 * The one path every tool call takes, whether it came over MCP or plain HTTP: find the tool (hidden
 * tools do not exist for the caller), admit it against the caller's limits, run it, and log the outcome.
 */
import { asGatewayError, GatewayError } from '../errors'
import { describeError } from '../observability'
import {
  findPrompt,
  findVisibleTool,
  invokeTool,
  PROMPTS,
  resourcesVisibleTo,
  toolsVisibleTo,
  type AnyToolDefinition,
  type PromptDefinition,
  type ResourceDefinition,
} from '../tools'
import type { RequestScope } from './scope'

export interface Dispatcher {
  listTools(): Promise<AnyToolDefinition[]>
  callTool(name: string, args: unknown): Promise<unknown>
  listResources(): Promise<ResourceDefinition[]>
  readResource(uri: string): Promise<{ resource: ResourceDefinition; text: string }>
  listPrompts(): Promise<readonly PromptDefinition[]>
  getPrompt(name: string, args: Record<string, string>): Promise<{ prompt: PromptDefinition; text: string }>
}

export function unknownToolError(name: string): GatewayError {
  return new GatewayError('NotFoundError', `Unknown tool: ${name}`, {
    details: { resource_type: 'tool', resource_id: name },
  })
}

export function createDispatcher(scope: RequestScope): Dispatcher {
  return {
    listResources: async () => resourcesVisibleTo(await scope.principal()),
    readResource: async (uri) => {
      const resource = resourcesVisibleTo(await scope.principal()).find((candidate) => candidate.uri === uri)
      if (resource === undefined) {
        throw new GatewayError('NotFoundError', `Unknown resource: ${uri}`, {
          details: { resource_type: 'resource', resource_id: uri },
        })
      }
      return { resource, text: await resource.read(await scope.toolContext()) }
    },
    listPrompts: async () => PROMPTS,
    getPrompt: async (name, args) => {
      const prompt = findPrompt(name)
      if (prompt === undefined) {
        throw new GatewayError('NotFoundError', `Unknown prompt: ${name}`, {
          details: { resource_type: 'prompt', resource_id: name },
        })
      }
      return {
        prompt,
        text: await prompt.render(checkPromptArguments(prompt, args), await scope.toolContext()),
      }
    },
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

/** Prompt arguments are strings; unknown names and values outside a closed list are refused. */
function checkPromptArguments(
  prompt: PromptDefinition,
  args: Record<string, string>,
): Record<string, string> {
  for (const [name, value] of Object.entries(args)) {
    const argument = prompt.arguments.find((candidate) => candidate.name === name)
    if (argument === undefined) {
      throw new GatewayError(
        'ValidationError',
        `Unknown argument "${name}" for prompt ${prompt.name}; it takes: ${prompt.arguments.map((item) => item.name).join(', ')}.`,
      )
    }
    if (argument.values !== undefined && !argument.values.includes(value)) {
      throw new GatewayError(
        'ValidationError',
        `Argument "${name}" must be one of: ${argument.values.join(', ')}.`,
      )
    }
  }
  const missing = prompt.arguments.filter(
    (argument) => argument.required && args[argument.name] === undefined,
  )
  if (missing.length > 0) {
    throw new GatewayError(
      'ValidationError',
      `Missing argument(s): ${missing.map((argument) => argument.name).join(', ')}.`,
    )
  }
  return args
}
