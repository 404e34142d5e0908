-- Optional indexes on SUPERSET's tables that make the gateway's access filters cheap on large instances.
--
-- Not applied by `npm run db:migrate`: these tables belong to Superset, whose own migrations manage them.
-- Apply by hand, once, when the metadata database holds thousands of charts or dashboards and
-- list_* latency grows (see docs/ACCESS.md): `psql "$DATABASE_URL" -f migrations/optional/superset_access_indexes.sql`.
-- CONCURRENTLY builds each index without blocking Superset's writes (run outside a transaction). All are
-- plain B-tree indexes that Superset itself never depends on; dropping them later is safe.

-- ChartFilter / DashboardAccessFilter: charts by dataset, and the perm columns compared with grants.
CREATE INDEX CONCURRENTLY IF NOT EXISTS mcp_gw_slices_datasource_id ON slices (datasource_id);
CREATE INDEX CONCURRENTLY IF NOT EXISTS mcp_gw_slices_perm ON slices (perm);
CREATE INDEX CONCURRENTLY IF NOT EXISTS mcp_gw_slices_schema_perm ON slices (schema_perm);
CREATE INDEX CONCURRENTLY IF NOT EXISTS mcp_gw_slices_changed_on ON slices (changed_on);

-- DatasourceFilter: datasets by perm, schema perm and database.
CREATE INDEX CONCURRENTLY IF NOT EXISTS mcp_gw_tables_perm ON tables (perm);
CREATE INDEX CONCURRENTLY IF NOT EXISTS mcp_gw_tables_schema_perm ON tables (schema_perm);
CREATE INDEX CONCURRENTLY IF NOT EXISTS mcp_gw_tables_database_id ON tables (database_id);
CREATE INDEX CONCURRENTLY IF NOT EXISTS mcp_gw_tables_changed_on ON tables (changed_on);

-- DashboardAccessFilter: owners, roles and the charts of each dashboard.
CREATE INDEX CONCURRENTLY IF NOT EXISTS mcp_gw_dashboard_user_dashboard ON dashboard_user (dashboard_id, user_id);
CREATE INDEX CONCURRENTLY IF NOT EXISTS mcp_gw_dashboard_roles_dashboard ON dashboard_roles (dashboard_id, role_id);
CREATE INDEX CONCURRENTLY IF NOT EXISTS mcp_gw_dashboard_slices_slice ON dashboard_slices (slice_id);
CREATE INDEX CONCURRENTLY IF NOT EXISTS mcp_gw_dashboards_changed_on ON dashboards (changed_on);

-- Ownership filters and columns.
CREATE INDEX CONCURRENTLY IF NOT EXISTS mcp_gw_slice_user_slice ON slice_user (slice_id, user_id);
CREATE INDEX CONCURRENTLY IF NOT EXISTS mcp_gw_sqlatable_user_table ON sqlatable_user (table_id, user_id);

-- The principal query: a user's roles.
CREATE INDEX CONCURRENTLY IF NOT EXISTS mcp_gw_ab_user_role_user ON ab_user_role (user_id);

-- Favourites and tags.
CREATE INDEX CONCURRENTLY IF NOT EXISTS mcp_gw_favstar_user ON favstar (user_id, class_name, obj_id);
CREATE INDEX CONCURRENTLY IF NOT EXISTS mcp_gw_tagged_object_type_id ON tagged_object (object_type, object_id);
