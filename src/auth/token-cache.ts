/**
 * Verified tokens, remembered within the isolate until they expire, so a client that sends the same token
 * on every request pays for signature verification once. Bounded: the least recently used entry goes first.
 */
import type { JWTPayload } from 'jose'

export const VERIFIED_TOKEN_CACHE_MAX_ENTRIES = 1_000

interface Entry {
  claims: JWTPayload
  expiresAtMs: number
}

export class VerifiedTokenCache {
  // A Map iterates in insertion order; re-inserting on every hit keeps the least recently used first.
  readonly #entries = new Map<string, Entry>()
  readonly #maxEntries: number

  constructor(maxEntries: number = VERIFIED_TOKEN_CACHE_MAX_ENTRIES) {
    this.#maxEntries = maxEntries
  }

  get(key: string, nowMs: number): JWTPayload | undefined {
    const entry = this.#entries.get(key)
    if (entry === undefined) return undefined
    this.#entries.delete(key)
    if (entry.expiresAtMs <= nowMs) return undefined
    this.#entries.set(key, entry)
    return entry.claims
  }

  set(key: string, claims: JWTPayload, expiresAtMs: number): void {
    this.#entries.delete(key)
    this.#entries.set(key, { claims, expiresAtMs })
    while (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next()
      if (oldest.done === true) break
      this.#entries.delete(oldest.value)
    }
  }

  get size(): number {
    return this.#entries.size
  }
}
