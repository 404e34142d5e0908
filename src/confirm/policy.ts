/**
 * Whether a destructive call asks the user, and what a client that cannot answer gets. The tool decides
 * whether a call is destructive (its definition's `confirm`); this decides whether to ask about it.
 */
import type { ConfirmConfig } from '../config'
import { GatewayError } from '../errors'

/**
 * A tenant's limits document may turn confirmation on or off per tool (its `confirm` section);
 * otherwise MCP_CONFIRM_DESTRUCTIVE decides.
 */
export function asksToConfirm(config: ConfirmConfig, tenantSetting: boolean | undefined): boolean {
  return tenantSetting ?? config.destructive
}

/** The key states are signed with; a ConfigurationError when there is none to sign or check them. */
export function confirmationKey(config: ConfirmConfig): string {
  if (config.secret !== undefined) return config.secret
  throw new GatewayError(
    'ConfigurationError',
    'This call needs the user to confirm it, but MCP_CONFIRM_SECRET is not set, so the gateway cannot sign or check confirmation requests (a tenant limits document turned confirmation on while MCP_CONFIRM_DESTRUCTIVE=false). Nothing was run.',
    { details: { reason: 'confirm_secret_not_set' } },
  )
}

/** MCP_CONFIRM_FALLBACK=refuse, for a client that cannot answer a confirmation request. */
export function cannotConfirmError(tool: string, question: string): GatewayError {
  return new GatewayError(
    'PermissionDeniedError',
    `${tool} needs the user to confirm this call (${question}), and this client cannot be asked; nothing was run. Use an MCP 2026-07-28 client that declares elicitation, so that it can answer the gateway's input request, or ask the operator to set MCP_CONFIRM_FALLBACK=allow.`,
    { details: { reason: 'confirmation_unsupported', tool } },
  )
}

/** The answer to a declined confirmation. */
export function declinedMessage(tool: string): string {
  return `The user declined to confirm this ${tool} call: nothing was run and nothing changed.`
}
