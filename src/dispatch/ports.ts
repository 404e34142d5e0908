/**
 * What the dispatcher needs from the rest of the gateway, as small interfaces: the composition root
 * plugs in the real limiter (and, as they land, the cache, audit trail and metrics).
 */
import type { GatewayError } from '../errors'

/** One tool call, as limits see it. */
export interface CallSubject {
  tenant: string
  userId: number
  username: string
  tool: string
}

export type Admission =
  | { allowed: true; headers: Record<string, string> }
  | { allowed: false; error: GatewayError; headers: Record<string, string> }

/** Decides whether a call may run now (per-user and per-tool limits). */
export interface Limiter {
  admit(call: CallSubject): Promise<Admission>
}

export interface CallServices {
  limiter: Limiter
}
