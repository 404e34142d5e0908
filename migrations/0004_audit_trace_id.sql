-- The W3C trace id of the caller's trace the call belongs to (traceparent from the request's `_meta` or
-- its HTTP header, src/mcp/route.ts): joins an audit row with the caller's own traces and with Sentry.
-- NULL when the caller sent no valid traceparent, and for every row written before this migration.
ALTER TABLE mcp_gateway.audit_log
  ADD COLUMN trace_id text CHECK (trace_id ~ '^[0-9a-f]{32}$');
