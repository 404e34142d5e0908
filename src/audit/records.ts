/**
 * The audit trail: one row per tool call in mcp_gateway.audit_log (migrations/0001_create_audit_log.sql,
 * 0002_audit_record_id.sql, 0003_audit_confirmation.sql, 0004_audit_trace_id.sql). After the response, a request's records go to the AUDIT_QUEUE Cloudflare
 * Queue, whose consumer (./consumer.ts) inserts them in batches; without the binding, or if the queue
 * refuses them, they are inserted at once over the request's own connection (./delivery.ts). Arguments
 * are stored as a SHA-256 digest of their canonical JSON and a redacted copy: structure, ids and short
 * identifiers are kept; SQL, search terms, filter values and other free text are not. A failed write
 * never fails the call: it is counted and logged.
 */
import { describeError } from '../errors'
import type { Db } from '../db'
import { sql } from '../db'
import type { Logger } from '../observability'
import { canonicalJson, sha256Hex } from '../digest'
import { countEvent } from '../observability'

/**
 * How a call was confirmed (src/confirm; the column `confirmation`, migrations/0003): null for a call
 * that needed no confirmation.
 */
export type AuditConfirmation =
  /** The user accepted a valid request state: the call ran. */
  | 'confirmed'
  /** The client could not be asked and MCP_CONFIRM_FALLBACK=allow: the call ran without the user's say. */
  | 'unconfirmed'
  /** The user declined: nothing ran. */
  | 'declined'
  /** The user was asked and nothing ran yet; or the client could not be asked and the fallback refused. */
  | 'required'

export const AUDIT_CONFIRMATIONS = [
  'confirmed',
  'unconfirmed',
  'declined',
  'required',
] as const satisfies readonly AuditConfirmation[]

export interface AuditRecord {
  /** Minted when the call finished; makes a redelivered record a no-op. */
  recordId: string
  /** When the call started (ISO 8601): the row's occurred_at, however late the row is written. */
  occurredAt: string
  requestId: string
  tenant: string
  userId: number | null
  username: string | null
  tool: string
  transport: 'mcp' | 'http'
  outcome: 'success' | 'error'
  errorType: string | null
  durationMs: number
  rowsReturned: number | null
  objectsAffected: number | null
  createdIds: Record<string, number[]>
  argumentsDigest: string
  argumentsRedacted: unknown
  confirmation: AuditConfirmation | null
  /** The W3C trace id of the caller's trace (traceparent), when it sent one. */
  traceId: string | null
}

/** Counts audit records in the isolate's metrics: handed to the queue, inserted, failed to insert. */
export function countAuditRecords(result: 'queued' | 'written' | 'failed', records: number): void {
  countEvent({ series: 'mcp_audit_records_total', labels: { result } }, records)
}

/** Keys whose short string values are identifiers or enumerations, safe to keep. */
const KEPT_STRING_KEYS = new Set([
  'identifier',
  'id',
  'model_type',
  'order_column',
  'order_direction',
  'col',
  'opr',
  'format',
  'chart_type',
  'kind',
  'viz_type',
  'time_grain',
  'aggregate',
  'op',
  'select_columns',
  'name',
  'column',
  'column_name',
  'metric_name',
  'preview_formats',
  'schema',
  'catalog',
  'form_data_key',
])
/** Free text and values that can carry data or secrets: never stored. */
const ALWAYS_REDACTED_KEYS = new Set([
  'sql',
  'query',
  'value',
  'values',
  'search',
  'comparator',
  'sqlExpression',
  'sql_expression',
  'template_params',
])
const MAX_KEPT_STRING = 64

export function redactArguments(value: unknown, key?: string): unknown {
  if (key !== undefined && ALWAYS_REDACTED_KEYS.has(key) && value !== null && value !== undefined)
    return '[redacted]'
  if (typeof value === 'string') {
    return key !== undefined && KEPT_STRING_KEYS.has(key) && value.length <= MAX_KEPT_STRING
      ? value
      : `[redacted: ${value.length} chars]`
  }
  if (Array.isArray(value)) return value.map((item) => redactArguments(item, key))
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([name, item]) => [name, redactArguments(item, name)]),
    )
  }
  return value
}

export async function digestArguments(args: unknown): Promise<string> {
  return sha256Hex(canonicalJson(args))
}

/** Inserts the records in one statement; never throws (a failure is counted and logged). */
export async function writeAuditRecords(db: Db, records: readonly AuditRecord[], log: Logger): Promise<void> {
  if (records.length === 0) return
  try {
    await insertAuditRecords(db, records)
  } catch (err) {
    countAuditRecords('failed', records.length)
    log.error('audit_write_failed', { records: records.length, ...describeError(err) })
  }
}

/**
 * Inserts the records in one statement, skipping any already written (a queue redelivery), and counts
 * them; throws what the database throws.
 */
export async function insertAuditRecords(db: Db, records: readonly AuditRecord[]): Promise<void> {
  if (records.length === 0) return
  const rows = records.map((record) => ({
    record_id: record.recordId,
    occurred_at: record.occurredAt,
    request_id: record.requestId,
    tenant: record.tenant,
    user_id: record.userId,
    username: record.username,
    tool: record.tool,
    transport: record.transport,
    outcome: record.outcome,
    error_type: record.errorType,
    duration_ms: Math.max(0, Math.round(record.durationMs)),
    rows_returned: record.rowsReturned,
    objects_affected: record.objectsAffected,
    created_ids: record.createdIds,
    arguments_digest: record.argumentsDigest,
    arguments_redacted: record.argumentsRedacted,
    confirmation: record.confirmation,
    trace_id: record.traceId,
  }))
  await db.query(sql`
    INSERT INTO mcp_gateway.audit_log (record_id, occurred_at, request_id, tenant, user_id, username, tool, transport,
           outcome, error_type, duration_ms, rows_returned, objects_affected, created_ids, arguments_digest,
           arguments_redacted, confirmation, trace_id)
    SELECT record_id, occurred_at, request_id, tenant, user_id, username, tool, transport, outcome, error_type,
           duration_ms, rows_returned, objects_affected, created_ids, arguments_digest, arguments_redacted,
           confirmation, trace_id
      FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS r(record_id uuid, occurred_at timestamptz,
           request_id text, tenant text, user_id int, username text, tool text, transport text, outcome text,
           error_type text, duration_ms int, rows_returned int, objects_affected int, created_ids jsonb,
           arguments_digest text, arguments_redacted jsonb, confirmation text, trace_id text)
        ON CONFLICT (record_id) DO NOTHING`)
  countAuditRecords('written', records.length)
}
