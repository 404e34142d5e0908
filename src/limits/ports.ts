/**
 * The limiter as the dispatcher uses it: what one call is, as limits see it, and what they decide.
 */
import type { GatewayError } from '../errors'

/** One tool call, as limits see it. */
export interface CallSubject {
  tenant: string
  userId: number
  username: string
  tool: string
}

export type Admission = (
  | { allowed: true; headers: Record<string, string> }
  | { allowed: false; error: GatewayError; headers: Record<string, string> }
) & {
  /**
   * Kinds of catalog objects (chart, dashboard, …) this user changed recently, and when; undefined when
   * unknown (the limiter was not asked or did not answer), in which case cached answers are not used.
   */
  recentWrites?: Record<string, number>
  /**
   * The tenant's limits document on confirming this tool (its `confirm` section): true or false overrides
   * MCP_CONFIRM_DESTRUCTIVE; undefined when no document names the tool.
   */
  confirm?: boolean
}

/** Decides whether a call may run now (per-user and per-tool limits). */
export interface Limiter {
  admit(call: CallSubject): Promise<Admission>
  /** Remembers that the caller changed objects of these kinds (for read-your-writes caching). */
  noteWrites(call: CallSubject, kinds: readonly string[]): Promise<void>
  /**
   * Marks a confirmation state's nonce used, in the caller's own Durable Object: true the first time,
   * false for a replay. Throws when the object cannot be reached: single use that cannot be checked is
   * refused, never assumed.
   */
  consumeNonce(call: CallSubject, nonce: string, expiresAt: number): Promise<boolean>
}
