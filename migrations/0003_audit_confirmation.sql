-- How a destructive call was confirmed (src/confirm, docs/SECURITY.md): 'confirmed' (the user accepted),
-- 'unconfirmed' (the client could not be asked; MCP_CONFIRM_FALLBACK=allow ran it), 'declined' (nothing
-- ran), 'required' (the user was asked and nothing ran yet, or the fallback refused). NULL for a call that
-- needed no confirmation, and for every row written before this migration.
ALTER TABLE mcp_gateway.audit_log
  ADD COLUMN confirmation text CHECK (confirmation IN ('confirmed', 'unconfirmed', 'declined', 'required'));
