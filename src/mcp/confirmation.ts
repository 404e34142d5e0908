/**
 * Confirmation of destructive calls on the MCP wire (docs/SECURITY.md "Destructive calls run only once
 * confirmed"). The dispatcher decides whether a call asks and enforces the answer (src/confirm: the signed,
 * single-use request state); this module only maps its outcomes onto the protocol:
 *
 * - 2026-07-28, a client whose request declares form elicitation: `confirmation_required` becomes an
 *   input-required result (MRTR) with one form elicitation, `confirm` (a boolean), and the gateway's signed
 *   state as `requestState`, unchanged. The retry's `inputResponses.confirm` and `requestState` become the
 *   dispatcher's `confirmation: { state, accepted }`.
 * - 2026-07-28 without elicitation, and every 2025 request: the client cannot be asked, and the call
 *   follows MCP_CONFIRM_FALLBACK. On 2025 the only way to ask is an `elicitation/create` request sent to
 *   the client while the call waits, which the client may receive only if it declared `elicitation` in
 *   its `initialize`. The gateway is stateless: no session ties a `tools/call` to the handshake that
 *   declared it, and the client's answer would come back as a new POST to any isolate.
 *
 * The request state is the gateway's own (`c1.<payload>.<HMAC>`), passed through as the SDK allows: no
 * `requestState.verify` hook is configured, so the SDK hands the raw string to the handler and the
 * dispatcher verifies it (signature, expiry, caller, tool, arguments) and consumes its nonce. The SDK's
 * `createRequestStateCodec` is not used: it would sign an already signed state, and its single frozen
 * refusal would hide which check failed.
 */
import {
  CLIENT_CAPABILITIES_META_KEY,
  inputRequired,
  inputResponse,
  ProtocolError,
  ProtocolErrorCode,
  type CallToolResult,
  type ClientCapabilities,
  type InputRequiredResult,
  type ServerContext,
} from '@modelcontextprotocol/server'
import type { ConfirmationRequired, Dispatcher, ToolAnswer, ToolOutcome } from '../dispatch'
import { asGatewayError, GatewayError, toErrorBody } from '../errors'
import { markSpans } from './untrusted'
import type { ClientChannel, InputRequest } from '../tools'

/** The key of the one input request: the retry's answer is `inputResponses.confirm`. */
export const CONFIRM_INPUT = 'confirm'

/** A call's answer, or what the MCP layer answers instead of the tool: asked, or declined. */
export type ConfirmingOutcome = ToolAnswer | { kind: 'reply'; result: CallToolResult | InputRequiredResult }

/** The structured content of a declined call (every confirming tool's output schema allows it). */
export interface DeclinedContent {
  confirmation: 'declined'
  message: string
}

/**
 * Refusals of the handed-back state itself: answered as JSON-RPC -32602, as MRTR asks of state that fails
 * verification. `confirmation_unverifiable` (the Durable Object did not answer) is not one: the state may
 * be good, and trying again may succeed, so it stays a failed call.
 */
const STATE_REFUSALS = new Set([
  'confirmation_state_invalid',
  'confirmation_state_expired',
  'confirmation_state_other_caller',
  'confirmation_state_other_tool',
  'confirmation_arguments_changed',
  'confirmation_state_used',
  'input_state_invalid',
])

/**
 * Calls `name` through the dispatcher with what this request can do for confirmation. Throws what the
 * dispatcher throws, except a refused state, thrown as a ProtocolError.
 */
export async function callConfirming(
  dispatcher: Dispatcher,
  name: string,
  args: unknown,
  era: 'modern' | 'legacy',
  ctx: ServerContext,
  client: ClientChannel,
): Promise<ConfirmingOutcome> {
  if (era === 'legacy') {
    const answer = await dispatcher.callTool(name, args, { client })
    // 2025 has no input-required results; the only way to ask would be a request the gateway never sends.
    if (answer.inputRequired !== undefined) {
      throw new GatewayError(
        'ValidationError',
        'This call needs input from the client, which a 2025-era request cannot be asked for: call it with the 2026-07-28 protocol.',
      )
    }
    return answer
  }
  // The SDK types the lifted envelope as `{}`; its keys are the reserved `_meta` names.
  const envelope = ctx.mcpReq.envelope as Record<string, unknown> | undefined
  const canConfirm = declaresFormElicitation(envelope?.[CLIENT_CAPABILITIES_META_KEY])
  const confirmation = confirmationOf(ctx)
  // Any other state handed back is the state of a round the tool itself asked for (ToolAnswer.inputRequired).
  const state = ctx.mcpReq.requestState()
  const roundState = confirmation === undefined && typeof state === 'string' ? state : undefined
  let outcome: ToolOutcome
  try {
    outcome = await dispatcher.callTool(name, args, {
      client,
      canConfirm,
      ...(confirmation === undefined ? {} : { confirmation }),
      ...(roundState === undefined ? {} : { roundState }),
    })
  } catch (err) {
    const failure = asGatewayError(err)
    const reason = failure.details?.reason
    const handedBack = confirmation !== undefined || roundState !== undefined
    if (handedBack && typeof reason === 'string' && STATE_REFUSALS.has(reason)) {
      throw new ProtocolError(
        ProtocolErrorCode.InvalidParams,
        markSpans(failure.message),
        toErrorBody(failure, new Date(), markSpans),
      )
    }
    throw failure
  }
  switch (outcome.kind) {
    case 'answer':
      if (outcome.inputRequired !== undefined) {
        return { kind: 'reply', result: askForInput(outcome.inputRequired) }
      }
      return outcome
    case 'confirmation_required':
      return { kind: 'reply', result: askToConfirm(outcome) }
    case 'declined':
      return { kind: 'reply', result: declinedResult(outcome.message) }
  }
}

/**
 * The user's answer on a retry: the state handed back and whether they confirmed. None when the retry
 * carries no state (a first call, or a client inventing an answer: it is asked anew), or no usable answer
 * to `confirm` (MRTR: a missing answer is asked for again rather than refused).
 */
function confirmationOf(ctx: ServerContext): { state: string; accepted: boolean } | undefined {
  const state = ctx.mcpReq.requestState()
  if (typeof state !== 'string') return undefined
  const answer = inputResponse(ctx.mcpReq.inputResponses, CONFIRM_INPUT)
  if (answer.kind !== 'elicit') return undefined
  // Declined or dismissed: nothing runs, and the state is used up.
  if (answer.action !== 'accept') return { state, accepted: false }
  const confirm = answer.content?.[CONFIRM_INPUT]
  // Submitted without a yes or no (the form's one field missing or not a boolean): asked again.
  if (typeof confirm !== 'boolean') return undefined
  return { state, accepted: confirm }
}

/**
 * Whether the request declares form elicitation, as the SDK reads it when it checks an input request
 * against the declared capabilities (a bare `elicitation: {}` is the 2025 meaning: form). Sending an
 * elicitation to a client that did not declare it is refused by the SDK (-32021), so this decides first.
 */
function declaresFormElicitation(capabilities: unknown): boolean {
  const elicitation = (capabilities as ClientCapabilities | undefined)?.elicitation as unknown
  if (typeof elicitation !== 'object' || elicitation === null) return false
  const modes = elicitation as Record<string, unknown>
  return modes.form !== undefined || modes.url === undefined
}

/** The input-required result: one form with the gateway's sentence and a yes/no field. */
function askToConfirm(asked: ConfirmationRequired): InputRequiredResult {
  return inputRequired({
    inputRequests: {
      [CONFIRM_INPUT]: inputRequired.elicit({
        // The user-written names in the sentence are marked, as in error text.
        message: markSpans(asked.message),
        requestedSchema: {
          type: 'object',
          properties: {
            [CONFIRM_INPUT]: {
              type: 'boolean',
              title: 'Confirm',
              description: `Run this call as described. Nothing runs unless you confirm; this question expires at ${asked.expiresAt}.`,
              default: false,
            },
          },
          required: [CONFIRM_INPUT],
        },
      }),
    },
    requestState: asked.state,
  })
}

/**
 * A tool's own questions (ToolAnswer.inputRequired) as an input-required result. The SDK refuses one
 * that asks for a capability the request did not declare (-32021, HTTP 400), as the spec requires.
 */
export function askForInput(asks: NonNullable<ToolAnswer['inputRequired']>): InputRequiredResult {
  const inputRequests = Object.fromEntries(
    Object.entries(asks.requests).map(([key, ask]) => [key, inputRequestOf(ask)]),
  )
  return inputRequired({
    inputRequests,
    ...(asks.state === undefined ? {} : { requestState: asks.state }),
  })
}

function inputRequestOf(ask: InputRequest): ReturnType<typeof inputRequired.listRoots> {
  switch (ask.kind) {
    case 'elicit':
      return inputRequired.elicit({
        message: ask.form.message,
        requestedSchema: ask.form.requestedSchema as Parameters<
          typeof inputRequired.elicit
        >[0]['requestedSchema'],
      })
    case 'sample':
      return inputRequired.createMessage({
        messages: ask.request.messages as Parameters<typeof inputRequired.createMessage>[0]['messages'],
        maxTokens: ask.request.maxTokens,
      })
    case 'roots':
      return inputRequired.listRoots()
  }
}

/** Not an error: the call did what the user wanted, which was nothing. */
function declinedResult(message: string): CallToolResult {
  const content: DeclinedContent = { confirmation: 'declined', message }
  return {
    content: [{ type: 'text', text: JSON.stringify(content) }],
    structuredContent: content as unknown as Record<string, unknown>,
  }
}
