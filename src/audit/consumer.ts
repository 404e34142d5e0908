/**
 * The AUDIT_QUEUE consumer: inserts a batch of audit records in one statement over one connection.
 * Delivery is at least once and the insert skips record ids already written, so a retry never doubles a
 * row. A database failure retries the batch with a growing delay (after max_retries the queue moves it
 * to its dead-letter queue, docs/DEPLOYMENT.md); a message that is not an audit record (a deploy of
 * another version, say) is logged and acknowledged, never retried forever.
 */
import { describeError } from '../errors'
import * as z from 'zod'
import { requireConfig } from '../config'
import { createMetadataDb, type RequestDb } from '../db'
import { createLogger, isolateMetrics, type Logger } from '../observability'
import { AUDIT_CONFIRMATIONS, countAuditRecords, insertAuditRecords, type AuditRecord } from './records'

const RETRY_BASE_SECONDS = 5
const RETRY_MAX_SECONDS = 300

const createdIds = z.record(z.string(), z.array(z.number().int()))

/** The shape of an audit record on the queue (AuditRecord, checked). */
const AUDIT_MESSAGE_SCHEMA: z.ZodType<AuditRecord> = z.object({
  recordId: z.uuid(),
  occurredAt: z.iso.datetime({ offset: true }),
  requestId: z.string().min(1),
  tenant: z.string(),
  userId: z.number().int().nullable(),
  username: z.string().nullable(),
  tool: z.string().min(1),
  transport: z.enum(['mcp', 'http']),
  outcome: z.enum(['success', 'error']),
  errorType: z.string().nullable(),
  durationMs: z.number().nonnegative(),
  rowsReturned: z.number().int().nullable(),
  objectsAffected: z.number().int().nullable(),
  createdIds,
  argumentsDigest: z.string().min(1),
  argumentsRedacted: z.unknown(),
  // Absent in records queued by a version before confirmations (a deploy with messages in flight).
  confirmation: z.enum(AUDIT_CONFIRMATIONS).nullable().default(null),
  // Absent in records queued by a version before trace ids.
  traceId: z
    .string()
    .regex(/^[0-9a-f]{32}$/)
    .nullable()
    .default(null),
})

/** Seconds before a failed batch is offered again: 5, 10, 20, … up to 5 minutes. */
export function retryDelaySeconds(attempts: number): number {
  return Math.min(RETRY_MAX_SECONDS, RETRY_BASE_SECONDS * 2 ** Math.max(0, attempts - 1))
}

export async function consumeAuditBatch(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  // A misconfigured gateway throws here: the whole batch is retried, nothing is acknowledged.
  const config = requireConfig(env)
  const log = createLogger(config.logLevel, { queue: batch.queue })
  const valid: { message: Message<unknown>; record: AuditRecord }[] = []
  for (const message of batch.messages) {
    const parsed = AUDIT_MESSAGE_SCHEMA.safeParse(message.body)
    if (parsed.success) valid.push({ message, record: parsed.data })
    else {
      countAuditRecords('failed', 1)
      log.error('audit_message_invalid', {
        message_id: message.id,
        problems: parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`),
      })
      message.ack()
    }
  }
  if (valid.length > 0) await insertBatch(valid, createMetadataDb(config.database, log), log)
  // An isolate that only consumes would never flush its audit counts to /metrics: flush after each batch.
  await isolateMetrics
    .flush(env.METRICS_AGGREGATOR)
    .catch((err: unknown) => log.warn('metrics_flush_failed', describeError(err)))
}

async function insertBatch(
  valid: { message: Message<unknown>; record: AuditRecord }[],
  db: RequestDb,
  log: Logger,
): Promise<void> {
  try {
    await insertAuditRecords(
      db,
      valid.map((entry) => entry.record),
    )
    for (const entry of valid) entry.message.ack()
    log.debug('audit_batch_written', { records: valid.length })
  } catch (err) {
    const attempts = Math.max(...valid.map((entry) => entry.message.attempts))
    log.error('audit_batch_failed', { records: valid.length, attempts, ...describeError(err) })
    for (const entry of valid) {
      entry.message.retry({ delaySeconds: retryDelaySeconds(entry.message.attempts) })
    }
  } finally {
    await db.close()
  }
}
