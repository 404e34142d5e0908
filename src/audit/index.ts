export {
  auditCounters,
  canonicalJson,
  digestArguments,
  insertAuditRecords,
  redactArguments,
  sha256Hex,
  writeAuditRecords,
} from './records'
export type { AuditRecord } from './records'
export { deliverAuditRecords } from './delivery'
export type { AuditDelivery } from './delivery'
export { AUDIT_MESSAGE_SCHEMA, consumeAuditBatch, retryDelaySeconds } from './consumer'
