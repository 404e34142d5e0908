-- The gateway's own tables live in schema mcp_gateway, apart from Superset's tables.
-- Audit trail: one row per tool call (who, what, outcome, how long, what it touched).
CREATE SCHEMA IF NOT EXISTS mcp_gateway;

CREATE TABLE mcp_gateway.audit_log (
  id            bigserial PRIMARY KEY,
  occurred_at   timestamptz NOT NULL DEFAULT now(),
  request_id    text NOT NULL,
  tenant        text NOT NULL,
  user_id       integer,
  username      text,
  tool          text NOT NULL,
  transport     text NOT NULL CHECK (transport IN ('mcp', 'http')),
  outcome       text NOT NULL CHECK (outcome IN ('success', 'error')),
  error_type    text,
  duration_ms   integer NOT NULL CHECK (duration_ms >= 0),
  rows_returned integer,
  objects_affected integer,
  created_ids   jsonb NOT NULL DEFAULT '{}'::jsonb,
  -- SHA-256 of the canonical arguments: lets an auditor match a call without storing its values.
  arguments_digest text NOT NULL,
  -- Arguments with values that could be sensitive (SQL literals, free text) redacted.
  arguments_redacted jsonb NOT NULL DEFAULT '{}'::jsonb
);

CREATE INDEX audit_log_occurred_at_idx ON mcp_gateway.audit_log (occurred_at);
CREATE INDEX audit_log_user_idx ON mcp_gateway.audit_log (tenant, user_id, occurred_at);
CREATE INDEX audit_log_tool_idx ON mcp_gateway.audit_log (tool, occurred_at);
