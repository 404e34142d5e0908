/**
 * Test helpers for Sentry: a project of its own on the local ingest stand-in (test/setup/sentry-stand-in.ts)
 * for each test, its DSN for the gateway's SENTRY_DSN, and what arrived there.
 */
import { inject } from 'vitest'

/** One upload as the stand-in recorded it (mirrors ReceivedEnvelope in test/setup/sentry-stand-in.ts). */
export interface ReceivedEnvelope {
  headers: Record<string, string | string[] | undefined>
  raw: string
  envelope: Record<string, unknown>
  items: { header: { type?: string } & Record<string, unknown>; payload: any }[]
}

export class SentryProject {
  /** Sentry project ids are numbers; a random one keeps each test's envelopes apart. */
  readonly id = String(100_000 + Math.floor(Math.random() * 900_000_000))

  /** The DSN the gateway reports to: the stand-in, this project, a public key that is not a secret. */
  get dsn(): string {
    const base = new URL(inject('sentry'))
    return `${base.protocol}//testpublickey@${base.host}/${this.id}`
  }

  async envelopes(): Promise<ReceivedEnvelope[]> {
    const response = await fetch(`${inject('sentry')}/_test/projects/${this.id}`)
    if (!response.ok) throw new Error(`sentry stand-in: ${response.status}`)
    return (await response.json()) as ReceivedEnvelope[]
  }

  /** Payloads of the items of one type (`event`, `transaction`) across every envelope received. */
  async items(type: 'event' | 'transaction'): Promise<any[]> {
    return (await this.envelopes()).flatMap((envelope) =>
      envelope.items.filter((item) => item.header.type === type).map((item) => item.payload),
    )
  }
}
