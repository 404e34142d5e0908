-- The gateway's change feed: what changed in SUPERSET's tables, whoever changed them (Superset's UI or
-- API, scripts, the gateway), so cached answers learn of it within seconds (docs/storage.md, "Freshness").
--
-- Not applied by `npm run db:migrate`: it adds triggers to Superset's tables, which Superset's own
-- migrations manage. Install it explicitly, once, and again after a Superset upgrade that recreates a
-- watched table: `npm run db:change-feed` (or `psql "$DATABASE_URL" -f migrations/optional/superset_change_feed.sql`).
-- Idempotent. `npm start`'s embedded stack and the test setup install it. Without it the gateway
-- fingerprints the watched tables instead (src/superset/change-feed.ts), which misses some updates.
--
-- Each watched table gets one statement-level AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE trigger that
-- bumps the generation of the kinds it affects, in the writer's transaction (visible when it commits,
-- together with the change). One row update per statement and kind; rows of one kind are locked by
-- concurrent writers until they commit. The function is SECURITY DEFINER (its search_path fixed, pg_temp
-- last), so Superset's database user needs no grant on mcp_gateway; every role may read the counters. Removal: DROP the triggers `mcp_gw_changes` and the schema objects below.
--
-- The table list must match WATCHED_TABLES in src/superset/change-feed.ts (test/node/change-feed.test.ts).

CREATE SCHEMA IF NOT EXISTS mcp_gateway;

CREATE TABLE IF NOT EXISTS mcp_gateway.superset_changes (
  kind text PRIMARY KEY,
  generation bigint NOT NULL DEFAULT 0,
  changed_at timestamptz NOT NULL DEFAULT now()
);
-- The gateway reads it with its own role, which is not the owner of Superset's tables that installs this
-- file (docs/DEPLOYMENT.md): kinds and counters only, nothing to hide. Writes stay with the owner's function.
GRANT SELECT ON mcp_gateway.superset_changes TO PUBLIC;

CREATE OR REPLACE FUNCTION mcp_gateway.note_superset_change() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, mcp_gateway, pg_temp AS $$
BEGIN
  INSERT INTO mcp_gateway.superset_changes AS changes (kind, generation, changed_at)
  SELECT kind, 1, now() FROM unnest(TG_ARGV) AS kind
  ON CONFLICT (kind) DO UPDATE SET generation = changes.generation + 1, changed_at = now();
  RETURN NULL;
END
$$;

DO $$
DECLARE
  watched text[][] := ARRAY[
    ['dashboards', 'dashboard'],
    ['dashboard_slices', 'dashboard,chart'],
    ['dashboard_user', 'dashboard'],
    ['dashboard_roles', 'dashboard'],
    ['favstar', 'dashboard'],
    ['slices', 'chart'],
    ['slice_user', 'chart'],
    ['tables', 'dataset'],
    ['table_columns', 'dataset'],
    ['sql_metrics', 'dataset'],
    ['sqlatable_user', 'dataset'],
    ['dbs', 'database'],
    ['saved_query', 'saved_query'],
    ['themes', 'theme'],
    ['annotation_layer', 'annotation'],
    ['annotation', 'annotation'],
    ['tag', 'tag'],
    ['tagged_object', 'tag'],
    ['report_schedule', 'report'],
    ['report_recipient', 'report'],
    ['report_schedule_user', 'report'],
    ['report_execution_log', 'report'],
    ['ab_user', 'permissions'],
    ['ab_user_role', 'permissions'],
    ['ab_role', 'permissions'],
    ['ab_permission_view_role', 'permissions'],
    ['ab_permission_view', 'permissions'],
    ['ab_permission', 'permissions'],
    ['ab_view_menu', 'permissions'],
    ['ab_group', 'permissions'],
    ['ab_user_group', 'permissions'],
    ['ab_group_role', 'permissions'],
    ['row_level_security_filters', 'permissions'],
    ['rls_filter_roles', 'permissions'],
    ['rls_filter_tables', 'permissions']
  ];
  kinds text;
BEGIN
  FOR i IN 1 .. array_length(watched, 1) LOOP
    -- Tables this Superset version lacks (groups, RLS, saved queries) are skipped.
    CONTINUE WHEN to_regclass(format('public.%I', watched[i][1])) IS NULL;
    SELECT string_agg(quote_literal(kind), ', ') INTO kinds FROM unnest(string_to_array(watched[i][2], ',')) AS kind;
    EXECUTE format('DROP TRIGGER IF EXISTS mcp_gw_changes ON public.%I', watched[i][1]);
    EXECUTE format(
      'CREATE TRIGGER mcp_gw_changes AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON public.%I '
        'FOR EACH STATEMENT EXECUTE FUNCTION mcp_gateway.note_superset_change(%s)',
      watched[i][1], kinds);
  END LOOP;
END
$$;
