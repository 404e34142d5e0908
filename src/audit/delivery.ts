/**
 * Where a request's audit records go after its response: the AUDIT_QUEUE Cloudflare Queue when the
 * binding exists (its consumer inserts them in batches, so a call costs no database connection of its
 * own), otherwise, or when the queue refuses them, straight into Postgres over the request's connection.
 * Either way a record is never dropped silently: a failure is counted and logged.
 */
import { describeError } from '../errors'
import type { Db } from '../db'
import { type Logger } from '../observability'
import { countAuditRecords, writeAuditRecords, type AuditRecord } from './records'

/** Cloudflare Queues take at most 100 messages per sendBatch call. */
const QUEUE_BATCH_LIMIT = 100

export interface AuditDelivery {
  queue: Queue<AuditRecord> | undefined
  db: Db
  log: Logger
}

export async function deliverAuditRecords(
  records: readonly AuditRecord[],
  { queue, db, log }: AuditDelivery,
): Promise<void> {
  let sent = 0
  if (queue !== undefined) {
    try {
      while (sent < records.length) {
        const chunk = records.slice(sent, sent + QUEUE_BATCH_LIMIT)
        await queue.sendBatch(chunk.map((body) => ({ body, contentType: 'json' as const })))
        countAuditRecords('queued', chunk.length)
        sent += chunk.length
      }
    } catch (err) {
      // A message over the queue's size limit, or the queue unavailable: write what is left directly.
      log.warn('audit_queue_send_failed', { records: records.length - sent, ...describeError(err) })
    }
  }
  await writeAuditRecords(db, records.slice(sent), log)
}
