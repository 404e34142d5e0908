import * as z from 'zod'
import { asGatewayError, GatewayError } from '../../errors'
import { parseNestedJson } from '../../json-text'
import type { AnyToolDefinition, ConfirmPrompt, ToolContext } from './definition'
import { fitResponse } from './size-guard'

/**
 * Superset's tools take one `request` object; agents also send the fields flattened, or the request as
 * a JSON string (Superset's parse_request accepts all three).
 */
export function unwrapRequest(args: unknown): unknown {
  if (args === undefined || args === null) return {}
  if (typeof args !== 'object' || Array.isArray(args)) {
    throw new GatewayError(
      'ValidationError',
      'Tool arguments must be a JSON object, e.g. {"request": {...}}.',
    )
  }
  const record = args as Record<string, unknown>
  if (!('request' in record)) return record
  const extra = Object.keys(record).filter((key) => key !== 'request')
  if (extra.length > 0) {
    throw new GatewayError(
      'ValidationError',
      `Pass the arguments either inside "request" or flattened, not both (found ${extra.map((key) => `"${key}"`).join(', ')} beside "request").`,
    )
  }
  const inner = record.request
  if (inner === undefined || inner === null) return {}
  if (typeof inner === 'string') {
    const parsed = parseNestedJson(inner, '"request"')
    if (parsed.kind === 'json') return parsed.value
    throw new GatewayError(
      'ValidationError',
      '"request" is a string but not valid JSON; send it as an object.',
    )
  }
  return inner
}

export function parseRequest<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const result = schema.safeParse(value)
  if (result.success) return result.data
  const issues = result.error.issues.map((issue) => ({
    field: issue.path.length > 0 ? issue.path.join('.') : '(request)',
    message: issue.message,
  }))
  throw new GatewayError(
    'ValidationError',
    `Invalid request: ${issues.map((issue) => `${issue.field}: ${issue.message}`).join('; ')}`,
    { details: { issues } },
  )
}

/** The tool's request from raw call arguments: unwrapped, validated, defaults applied. */
export function parseToolRequest(tool: AnyToolDefinition, args: unknown): unknown {
  const request = unwrapRequest(args)
  assertNoNul(request, 'request')
  return parseRequest(tool.input, request)
}

/**
 * PostgreSQL text cannot hold NUL: a value carrying one could only fail in the database (a 500 an
 * attacker could cause at will). Refused here, for every tool, naming where it is.
 */
function assertNoNul(value: unknown, path: string): void {
  if (typeof value === 'string') {
    if (value.includes('\u0000')) {
      throw new GatewayError(
        'ValidationError',
        `Invalid request: ${path} contains a NUL character (U+0000), which no Superset value can hold.`,
        {
          details: { issues: [{ field: path, message: 'contains a NUL character' }] },
        },
      )
    }
    return
  }
  if (Array.isArray(value)) value.forEach((item, index) => assertNoNul(item, `${path}.${index}`))
  else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      assertNoNul(key, `${path} key`)
      assertNoNul(item, `${path}.${key}`)
    }
  }
}

/** What a run gave: the answer, and the failure it stands for when the tool answered a failure in-band. */
export interface ToolRun {
  response: unknown
  failure?: GatewayError
}

/**
 * Runs a validated request and checks the answer against the tool's output schema and the size guard.
 * A failure the tool reports in its own response model (`inBandFailure`) becomes that answer, with the
 * failure beside it for the audit trail; any other failure is thrown.
 */
export async function runTool(
  tool: AnyToolDefinition,
  request: unknown,
  context: ToolContext,
): Promise<ToolRun> {
  let response: unknown
  try {
    response = await tool.run(request, context)
  } catch (err) {
    return inBandRun(tool, asGatewayError(err), request, context)
  }
  const checked = checkedOutput(tool, response, context)
  return {
    response:
      tool.sizeGuard === false ? checked : fitResponse(tool.name, checked, context.config.responseMaxBytes),
  }
}

/** A run whose failure the tool answered in its own response model. */
export type InBandRun = ToolRun & { failure: GatewayError }

/** A failure as the tool answers it in-band, or thrown when it stays an error. */
function inBandRun(
  tool: AnyToolDefinition,
  failure: GatewayError,
  request: unknown,
  context: ToolContext,
): InBandRun {
  // After something was written, "nothing was created" would be false: the failure stays an error.
  const wrote = context.effects.objectsAffected > 0 || context.effects.changed.size > 0
  const answer = wrote ? undefined : tool.inBandFailure?.(failure, request, context)
  if (answer === undefined) throw failure
  return { response: checkedOutput(tool, answer, context), failure }
}

/**
 * What the user must confirm before this call runs (the tool's `confirm`), or undefined when it changes
 * nothing. Working it out can fail as the call would (a database the caller may not see, SQL the
 * guardrails refuse): such a failure is the call's answer, in-band where the tool answers so.
 */
export async function confirmationPrompt(
  tool: AnyToolDefinition,
  request: unknown,
  context: ToolContext,
): Promise<{ prompt: ConfirmPrompt | undefined } | { failed: InBandRun }> {
  if (tool.confirm === undefined) return { prompt: undefined }
  try {
    return { prompt: await tool.confirm(request, context) }
  } catch (err) {
    return { failed: inBandRun(tool, asGatewayError(err), request, context) }
  }
}

function checkedOutput(tool: AnyToolDefinition, response: unknown, context: ToolContext): unknown {
  const checked = tool.output.safeParse(response)
  if (!checked.success) {
    context.log.error('tool_output_invalid', { tool: tool.name, issues: z.prettifyError(checked.error) })
    throw new GatewayError(
      'InternalError',
      `The ${tool.name} tool produced an invalid response. The failure has been logged.`,
    )
  }
  return checked.data
}
