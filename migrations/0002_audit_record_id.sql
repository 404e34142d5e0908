-- Audit records travel through a Cloudflare Queue, which delivers at least once: every record carries
-- an id minted when the call finished, and a redelivered record is a no-op (ON CONFLICT DO NOTHING).
-- Rows written before this migration keep a NULL id (a unique index admits any number of NULLs).
ALTER TABLE mcp_gateway.audit_log ADD COLUMN record_id uuid;
CREATE UNIQUE INDEX audit_log_record_id_idx ON mcp_gateway.audit_log (record_id);
