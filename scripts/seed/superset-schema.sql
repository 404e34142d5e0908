-- =============================================================================
-- Apache Superset 6.1 metadata schema (PostgreSQL) -- subset read/written by the
-- MCP gateway.  Plain DDL, meant to be applied ONCE to an EMPTY database.
-- Runs on PostgreSQL >= 13 and on PGlite (no extensions used).
--
-- Mirrors: Superset 6.1 (release branch, superset-core 0.1.0rc3,
--          Flask-AppBuilder >= 5.2.1, SQLAlchemy 1.4), alembic head
--          `ce6bd21901ab` (2026-03-02 "migrate_deckgl_and_mapbox"), whose parent
--          is `a1b2c3d4e5f6` (granular export permissions; master later renamed
--          that id to 41292324bf4e, PR #40134 -- the head id is unaffected).
--
-- Method: this is the DB *reality* a `superset db upgrade` produces on
-- PostgreSQL, not a `metadata.create_all()` of the ORM models.  It was built
-- from (a) a pg_dump of a real Superset metadata DB at alembic 17fcea065655
-- (4.0 era) and (b) every schema-changing migration between that revision and
-- ce6bd21901ab in superset/migrations/versions/, cross-checked against the 6.1
-- models.  Where the ORM and the DB disagree the DB wins and a comment says so.
--
-- Sources per table (paths in apache/superset unless marked FAB =
-- dpgaspar/Flask-AppBuilder v5.2.1 flask_appbuilder/security/sqla/models.py):
--   ab_permission, ab_view_menu, ab_permission_view, ab_permission_view_role,
--   ab_role, ab_user, ab_user_role ..... FAB models; ab_view_menu.name widened
--        to 255 by cefabc8f7d38; ab_user.username widened to 128 by
--        x2s8ocx6rto6 (2025-11-12); ON DELETE CASCADE on ab_user_role and
--        ab_permission_view_role FKs by 32bf93dfe2a4 (2025-03-19).
--   ab_group, ab_user_group, ab_group_role ... FAB >= 4.6 models, created by
--        FAB's SecurityManager.create_db() (Model.metadata.create_all), not by
--        a Superset migration.
--   dashboards, dashboard_slices, dashboard_user, dashboard_roles .............
--        superset/models/dashboard.py + migrations (theme_id: cd1fb11291f2).
--   slices, slice_user ........ superset/models/slice.py (catalog_perm: 58d051681a3b)
--   tables, table_columns, sql_metrics, sqlatable_user,
--   row_level_security_filters, rls_filter_roles, rls_filter_tables .........
--        superset/connectors/sqla/models.py + migrations 5f57af97bc3f (catalog),
--        58d051681a3b (catalog_perm), df3d7e2eb9a4 (drops _customer_location_uc),
--        94e7a3499973 (folders), f1edd4a4d4f2 (sql_metrics.currency -> jsonb),
--        a9c01ec10479 (datetime_format), 9787190b3d89 (currency_code_column),
--        e5ef6828ac4e (filter_type / group_key).
--   dbs, favstar, logs, themes ..... superset/models/core.py (+ 7b17aa722e30
--        favstar.uuid, 3fd555e76e3d / c233f5365c9e themes)
--   saved_query, query ............. superset/models/sql_lab.py (+ 5f57af97bc3f,
--        3dfd0e78650e ix_sql_editor_id)
--   tag, tagged_object ............. superset/tags/models.py + c82ee8a39623,
--        07f9a902af1b, def97f26fdfb, 96164e3017c6
--   key_value ...................... superset/key_value/models.py + 6766938c6065
--   embedded_dashboards ............ superset/models/embedded_dashboard.py +
--        5afbb1a5849b, 4448fa6deeb1
--   alembic_version ................ alembic
--
-- Things the ORM does in Python (NO server default exists; a direct SQL writer
-- such as the gateway or the seed must supply the value itself):
--   * every `uuid` column (ImportExportMixin / UUIDMixin default=uuid4);
--   * created_on / changed_on (AuditMixinNullable default=datetime.now, naive
--     local time) and created_by_fk / changed_by_fk (current user id);
--   * logs.dttm and favstar.dttm (datetime.utcnow);
--   * slices.perm / schema_perm / catalog_perm (copied from the dataset by the
--     before_insert/before_update listener `set_related_perm`);
--   * tables.perm / schema_perm / catalog_perm (computed by SqlaTable events);
--   * booleans such as dashboards.published, dbs.expose_in_sqllab,
--     table_columns.is_active/groupby/filterable, tables.filter_select_enabled,
--     themes.is_system* (all plain nullable/NOT NULL columns without DEFAULT,
--     except where a DEFAULT is written below -- those came from migrations).
--   * ab_* primary keys: FAB declares explicit Sequence("ab_<x>_id_seq")
--     objects, so on PostgreSQL the id columns have NO DEFAULT; SQLAlchemy calls
--     nextval() itself.  Inserts into ab_* tables must use
--     nextval('ab_<x>_id_seq') explicitly.  All other tables use SERIAL.
-- =============================================================================

-- -----------------------------------------------------------------------------
-- Enum types.  c82ee8a39623 created tag.type / tagged_object.object_type as
-- SQLAlchemy Enum(TagType) / Enum(ObjectType) -> PG types "tagtype" and
-- "objecttype" (member NAMES are stored).  07f9a902af1b later converted both
-- columns to VARCHAR and tried to drop types named "tagtypes"/"objecttypes"
-- (plural, so nothing was dropped): the types still exist but no column uses
-- them.  Mirrored here as-is.
-- row_level_security_filters.filter_type: the 6.1 ORM declares
-- Enum('Regular','Base', name='filter_type_enum'), but migration e5ef6828ac4e
-- created the column as VARCHAR(255) and no migration ever created the enum,
-- so a migrated database has NO filter_type_enum type.  Mirrored as VARCHAR.
-- -----------------------------------------------------------------------------
CREATE TYPE tagtype AS ENUM ('custom', 'type', 'owner', 'favorited_by');
CREATE TYPE objecttype AS ENUM ('query', 'chart', 'dashboard', 'dataset');

-- =============================================================================
-- Flask-AppBuilder security tables
-- =============================================================================
CREATE SEQUENCE ab_permission_id_seq START WITH 1 INCREMENT BY 1 MINVALUE 1 NO MAXVALUE;
CREATE TABLE ab_permission (
    id integer NOT NULL,
    name character varying(100) NOT NULL,
    CONSTRAINT ab_permission_pkey PRIMARY KEY (id),
    CONSTRAINT ab_permission_name_key UNIQUE (name)
);

CREATE SEQUENCE ab_view_menu_id_seq START WITH 1 INCREMENT BY 1 MINVALUE 1 NO MAXVALUE;
CREATE TABLE ab_view_menu (
    id integer NOT NULL,
    name character varying(255) NOT NULL,          -- FAB model says 250; cefabc8f7d38 widened it
    CONSTRAINT ab_view_menu_pkey PRIMARY KEY (id),
    CONSTRAINT ab_view_menu_name_key UNIQUE (name)
);

CREATE SEQUENCE ab_role_id_seq START WITH 1 INCREMENT BY 1 MINVALUE 1 NO MAXVALUE;
CREATE TABLE ab_role (
    id integer NOT NULL,
    name character varying(64) NOT NULL,
    CONSTRAINT ab_role_pkey PRIMARY KEY (id),
    CONSTRAINT ab_role_name_key UNIQUE (name)
);

CREATE SEQUENCE ab_permission_view_id_seq START WITH 1 INCREMENT BY 1 MINVALUE 1 NO MAXVALUE;
CREATE TABLE ab_permission_view (
    id integer NOT NULL,
    permission_id integer,
    view_menu_id integer,
    CONSTRAINT ab_permission_view_pkey PRIMARY KEY (id),
    CONSTRAINT ab_permission_view_permission_id_view_menu_id_key UNIQUE (permission_id, view_menu_id),
    CONSTRAINT ab_permission_view_permission_id_fkey FOREIGN KEY (permission_id) REFERENCES ab_permission (id),
    CONSTRAINT ab_permission_view_view_menu_id_fkey FOREIGN KEY (view_menu_id) REFERENCES ab_view_menu (id)
);
-- FAB >= 4.x model indexes (present when FAB creates the table)
CREATE INDEX idx_permission_id ON ab_permission_view (permission_id);
CREATE INDEX idx_view_menu_id ON ab_permission_view (view_menu_id);

CREATE SEQUENCE ab_permission_view_role_id_seq START WITH 1 INCREMENT BY 1 MINVALUE 1 NO MAXVALUE;
CREATE TABLE ab_permission_view_role (
    id integer NOT NULL,
    permission_view_id integer,
    role_id integer,
    CONSTRAINT ab_permission_view_role_pkey PRIMARY KEY (id),
    CONSTRAINT ab_permission_view_role_permission_view_id_role_id_key UNIQUE (permission_view_id, role_id),
    CONSTRAINT ab_permission_view_role_permission_view_id_fkey FOREIGN KEY (permission_view_id)
        REFERENCES ab_permission_view (id) ON DELETE CASCADE,
    CONSTRAINT ab_permission_view_role_role_id_fkey FOREIGN KEY (role_id)
        REFERENCES ab_role (id) ON DELETE CASCADE
);
CREATE INDEX idx_permission_view_id ON ab_permission_view_role (permission_view_id);
CREATE INDEX idx_role_id ON ab_permission_view_role (role_id);

CREATE SEQUENCE ab_user_id_seq START WITH 1 INCREMENT BY 1 MINVALUE 1 NO MAXVALUE;
CREATE TABLE ab_user (
    id integer NOT NULL,
    first_name character varying(64) NOT NULL,
    last_name character varying(64) NOT NULL,
    username character varying(128) NOT NULL,      -- 64 -> 128 in x2s8ocx6rto6
    password character varying(256),
    active boolean,                                 -- ORM default True (Python side)
    email character varying(320) NOT NULL,
    last_login timestamp without time zone,
    login_count integer,
    fail_login_count integer,
    created_on timestamp without time zone,         -- ORM default now()
    changed_on timestamp without time zone,         -- ORM default now()
    created_by_fk integer,
    changed_by_fk integer,
    CONSTRAINT ab_user_pkey PRIMARY KEY (id),
    CONSTRAINT ab_user_username_key UNIQUE (username),
    CONSTRAINT ab_user_email_key UNIQUE (email),
    CONSTRAINT ab_user_created_by_fk_fkey FOREIGN KEY (created_by_fk) REFERENCES ab_user (id),
    CONSTRAINT ab_user_changed_by_fk_fkey FOREIGN KEY (changed_by_fk) REFERENCES ab_user (id)
);

CREATE SEQUENCE ab_user_role_id_seq START WITH 1 INCREMENT BY 1 MINVALUE 1 NO MAXVALUE;
CREATE TABLE ab_user_role (
    id integer NOT NULL,
    user_id integer,
    role_id integer,
    CONSTRAINT ab_user_role_pkey PRIMARY KEY (id),
    CONSTRAINT ab_user_role_user_id_role_id_key UNIQUE (user_id, role_id),
    CONSTRAINT ab_user_role_user_id_fkey FOREIGN KEY (user_id) REFERENCES ab_user (id) ON DELETE CASCADE,
    CONSTRAINT ab_user_role_role_id_fkey FOREIGN KEY (role_id) REFERENCES ab_role (id) ON DELETE CASCADE
);

-- Groups (FAB >= 4.6).  Users inherit the roles of their groups
-- (FAB SecurityManager.get_user_roles = user.roles + group roles).
CREATE SEQUENCE ab_group_id_seq START WITH 1 INCREMENT BY 1 MINVALUE 1 NO MAXVALUE;
CREATE TABLE ab_group (
    id integer NOT NULL,
    name character varying(100) NOT NULL,
    label character varying(150),
    description character varying(512),
    CONSTRAINT ab_group_pkey PRIMARY KEY (id),
    CONSTRAINT ab_group_name_key UNIQUE (name)
);

CREATE SEQUENCE ab_user_group_id_seq START WITH 1 INCREMENT BY 1 MINVALUE 1 NO MAXVALUE;
CREATE TABLE ab_user_group (
    id integer NOT NULL,
    user_id integer,
    group_id integer,
    CONSTRAINT ab_user_group_pkey PRIMARY KEY (id),
    CONSTRAINT ab_user_group_user_id_group_id_key UNIQUE (user_id, group_id),
    CONSTRAINT ab_user_group_user_id_fkey FOREIGN KEY (user_id) REFERENCES ab_user (id) ON DELETE CASCADE,
    CONSTRAINT ab_user_group_group_id_fkey FOREIGN KEY (group_id) REFERENCES ab_group (id) ON DELETE CASCADE
);
CREATE INDEX idx_user_id ON ab_user_group (user_id);
CREATE INDEX idx_user_group_id ON ab_user_group (group_id);

CREATE SEQUENCE ab_group_role_id_seq START WITH 1 INCREMENT BY 1 MINVALUE 1 NO MAXVALUE;
CREATE TABLE ab_group_role (
    id integer NOT NULL,
    group_id integer,
    role_id integer,
    CONSTRAINT ab_group_role_pkey PRIMARY KEY (id),
    CONSTRAINT ab_group_role_group_id_role_id_key UNIQUE (group_id, role_id),
    CONSTRAINT ab_group_role_group_id_fkey FOREIGN KEY (group_id) REFERENCES ab_group (id) ON DELETE CASCADE,
    CONSTRAINT ab_group_role_role_id_fkey FOREIGN KEY (role_id) REFERENCES ab_role (id) ON DELETE CASCADE
);
CREATE INDEX idx_group_id ON ab_group_role (group_id);
CREATE INDEX idx_group_role_id ON ab_group_role (role_id);

-- =============================================================================
-- Superset tables
-- =============================================================================

-- dbs (superset/models/core.py: Database)
CREATE TABLE dbs (
    created_on timestamp without time zone,
    changed_on timestamp without time zone,
    id serial NOT NULL,
    database_name character varying(250) NOT NULL,
    sqlalchemy_uri character varying(1024) NOT NULL,
    created_by_fk integer,
    changed_by_fk integer,
    password bytea,                      -- EncryptedType(String(1024)); impl LargeBinary -> bytea
    cache_timeout integer,
    extra text,                          -- JSON text
    select_as_create_table_as boolean,
    allow_ctas boolean,
    expose_in_sqllab boolean,            -- ORM default True
    force_ctas_schema character varying(250),
    allow_run_async boolean,
    allow_dml boolean,
    verbose_name character varying(250),
    impersonate_user boolean,
    allow_file_upload boolean DEFAULT true NOT NULL,   -- server default from migration; ORM default False
    encrypted_extra bytea,               -- EncryptedType(Text)
    server_cert bytea,                   -- EncryptedType(Text)
    allow_cvas boolean,
    uuid uuid,
    configuration_method character varying(255) DEFAULT 'sqlalchemy_form'::character varying,
    is_managed_externally boolean DEFAULT false NOT NULL,
    external_url text,
    CONSTRAINT dbs_pkey PRIMARY KEY (id),
    CONSTRAINT dbs_database_name_key UNIQUE (database_name),
    CONSTRAINT dbs_verbose_name_key UNIQUE (verbose_name),
    CONSTRAINT uq_dbs_uuid UNIQUE (uuid),
    CONSTRAINT dbs_created_by_fk_fkey FOREIGN KEY (created_by_fk) REFERENCES ab_user (id),
    CONSTRAINT dbs_changed_by_fk_fkey FOREIGN KEY (changed_by_fk) REFERENCES ab_user (id)
);

-- tables (superset/connectors/sqla/models.py: SqlaTable) -- datasets
CREATE TABLE tables (
    created_on timestamp without time zone,
    changed_on timestamp without time zone,
    id serial NOT NULL,
    table_name character varying(250) NOT NULL,
    main_dttm_col character varying(250),
    default_endpoint text,
    database_id integer NOT NULL,
    created_by_fk integer,
    changed_by_fk integer,
    "offset" integer,                    -- ORM default 0
    description text,
    is_featured boolean,
    cache_timeout integer,
    schema character varying(255),
    sql text,                            -- non-empty => virtual dataset
    params text,                         -- ORM says String(1000); the DB column is text
    perm character varying(1000),        -- "[<database>].[<table_name>](id:<id>)"
    filter_select_enabled boolean,       -- ORM default True
    fetch_values_predicate text,
    is_sqllab_view boolean DEFAULT false,
    template_params text,
    schema_perm character varying(1000), -- "[<database>].[<schema>]" (or [db].[catalog].[schema])
    extra text,                          -- JSON text: certification, warning_markdown
    uuid uuid,
    is_managed_externally boolean DEFAULT false NOT NULL,
    external_url text,
    normalize_columns boolean DEFAULT false,
    always_filter_main_dttm boolean DEFAULT false,
    catalog character varying(256),                 -- 5f57af97bc3f
    catalog_perm character varying(1000),           -- 58d051681a3b
    folders json,                                   -- 94e7a3499973 (sa.JSON)
    currency_code_column character varying(250),    -- 9787190b3d89
    CONSTRAINT tables_pkey PRIMARY KEY (id),
    -- NOTE: the ORM declares UNIQUE(database_id, catalog, schema, table_name) but
    -- migration df3d7e2eb9a4 dropped the old _customer_location_uc and nothing
    -- re-created a DB constraint: a migrated DB has none.
    CONSTRAINT uq_tables_uuid UNIQUE (uuid),
    CONSTRAINT tables_database_id_fkey FOREIGN KEY (database_id) REFERENCES dbs (id),
    CONSTRAINT tables_created_by_fk_fkey FOREIGN KEY (created_by_fk) REFERENCES ab_user (id),
    CONSTRAINT tables_changed_by_fk_fkey FOREIGN KEY (changed_by_fk) REFERENCES ab_user (id)
);

-- table_columns (TableColumn)
CREATE TABLE table_columns (
    created_on timestamp without time zone,
    changed_on timestamp without time zone,
    id serial NOT NULL,
    table_id integer,
    column_name character varying(255) NOT NULL,
    is_dttm boolean,                     -- ORM default False
    is_active boolean,                   -- ORM default True
    type text,                           -- DB type string, e.g. "VARCHAR(16)"
    groupby boolean,                     -- ORM default True
    filterable boolean,                  -- ORM default True
    description text,
    created_by_fk integer,
    changed_by_fk integer,
    expression text,                     -- non-empty => calculated column
    verbose_name character varying(1024),
    python_date_format character varying(255),
    uuid uuid,
    extra text,
    advanced_data_type character varying(255),
    datetime_format character varying(100),       -- a9c01ec10479
    CONSTRAINT table_columns_pkey PRIMARY KEY (id),
    CONSTRAINT uq_table_columns_column_name UNIQUE (column_name, table_id),
    CONSTRAINT uq_table_columns_uuid UNIQUE (uuid),
    CONSTRAINT fk_table_columns_table_id_tables FOREIGN KEY (table_id) REFERENCES tables (id) ON DELETE CASCADE,
    CONSTRAINT table_columns_created_by_fk_fkey FOREIGN KEY (created_by_fk) REFERENCES ab_user (id),
    CONSTRAINT table_columns_changed_by_fk_fkey FOREIGN KEY (changed_by_fk) REFERENCES ab_user (id)
);

-- sql_metrics (SqlMetric)
CREATE TABLE sql_metrics (
    created_on timestamp without time zone,
    changed_on timestamp without time zone,
    id serial NOT NULL,
    metric_name character varying(255) NOT NULL,
    verbose_name character varying(1024),
    metric_type character varying(32),
    table_id integer,
    expression text NOT NULL,
    description text,
    created_by_fk integer,
    changed_by_fk integer,
    d3format character varying(128),
    warning_text text,
    extra text,
    uuid uuid,
    -- was varchar(128); f1edd4a4d4f2 (cast_text_column_to_json) turns it into
    -- jsonb on PostgreSQL, e.g. {"symbol": "USD", "symbolPosition": "prefix"}
    currency jsonb,
    CONSTRAINT sql_metrics_pkey PRIMARY KEY (id),
    CONSTRAINT uq_sql_metrics_metric_name UNIQUE (metric_name, table_id),
    CONSTRAINT uq_sql_metrics_uuid UNIQUE (uuid),
    CONSTRAINT fk_sql_metrics_table_id_tables FOREIGN KEY (table_id) REFERENCES tables (id) ON DELETE CASCADE,
    CONSTRAINT sql_metrics_created_by_fk_fkey FOREIGN KEY (created_by_fk) REFERENCES ab_user (id),
    CONSTRAINT sql_metrics_changed_by_fk_fkey FOREIGN KEY (changed_by_fk) REFERENCES ab_user (id)
);

-- sqlatable_user (dataset owners, <= 6.1)
CREATE TABLE sqlatable_user (
    id serial NOT NULL,
    user_id integer,
    table_id integer,
    CONSTRAINT sqlatable_user_pkey PRIMARY KEY (id),
    CONSTRAINT fk_sqlatable_user_user_id_ab_user FOREIGN KEY (user_id) REFERENCES ab_user (id) ON DELETE CASCADE,
    CONSTRAINT fk_sqlatable_user_table_id_tables FOREIGN KEY (table_id) REFERENCES tables (id) ON DELETE CASCADE
);

-- slices (superset/models/slice.py: Slice) -- charts
CREATE TABLE slices (
    created_on timestamp without time zone,
    changed_on timestamp without time zone,
    id serial NOT NULL,
    slice_name character varying(250),
    datasource_type character varying(200),
    datasource_name character varying(2000),  -- denormalised "<schema>.<table_name>" (SqlaTable.name)
    viz_type character varying(250),
    params text,                              -- form_data JSON text
    created_by_fk integer,
    changed_by_fk integer,
    description text,
    cache_timeout integer,
    perm character varying(2000),             -- ORM says String(1000); the DB column is 2000
    datasource_id integer,                    -- no FK (polymorphic with datasource_type)
    schema_perm character varying(1000),
    uuid uuid,
    query_context text,                       -- QueryContext JSON text (frontend); NULL for MCP-created charts
    last_saved_at timestamp without time zone,
    last_saved_by_fk integer,
    certified_by text,
    certification_details text,
    is_managed_externally boolean DEFAULT false NOT NULL,
    external_url text,
    catalog_perm character varying(1000),     -- 58d051681a3b
    CONSTRAINT slices_pkey PRIMARY KEY (id),
    CONSTRAINT uq_slices_uuid UNIQUE (uuid),
    -- check constraint left in place by the druid-removal migrations
    CONSTRAINT ck_chart_datasource CHECK (((datasource_type)::text = 'table'::text)),
    CONSTRAINT slices_created_by_fk_fkey FOREIGN KEY (created_by_fk) REFERENCES ab_user (id),
    CONSTRAINT slices_changed_by_fk_fkey FOREIGN KEY (changed_by_fk) REFERENCES ab_user (id),
    CONSTRAINT slices_last_saved_by_fk FOREIGN KEY (last_saved_by_fk) REFERENCES ab_user (id)
);

-- slice_user (chart owners, <= 6.1)
CREATE TABLE slice_user (
    id serial NOT NULL,
    user_id integer,
    slice_id integer,
    CONSTRAINT slice_user_pkey PRIMARY KEY (id),
    CONSTRAINT fk_slice_user_user_id_ab_user FOREIGN KEY (user_id) REFERENCES ab_user (id) ON DELETE CASCADE,
    CONSTRAINT fk_slice_user_slice_id_slices FOREIGN KEY (slice_id) REFERENCES slices (id) ON DELETE CASCADE
);

-- themes (superset/models/core.py: Theme; 3fd555e76e3d + c233f5365c9e).
-- Included only because dashboards.theme_id references it.
CREATE TABLE themes (
    uuid uuid,
    created_on timestamp without time zone,
    changed_on timestamp without time zone,
    id serial NOT NULL,
    theme_name character varying(250),
    json_data text,
    is_system boolean NOT NULL,           -- no server default (ORM default False)
    created_by_fk integer,
    changed_by_fk integer,
    is_system_default boolean NOT NULL,   -- no server default (ORM default False)
    is_system_dark boolean NOT NULL,      -- no server default (ORM default False)
    CONSTRAINT themes_pkey PRIMARY KEY (id),
    CONSTRAINT themes_uuid_key UNIQUE (uuid),
    CONSTRAINT fk_themes_created_by_fk_ab_user FOREIGN KEY (created_by_fk) REFERENCES ab_user (id),
    CONSTRAINT fk_themes_changed_by_fk_ab_user FOREIGN KEY (changed_by_fk) REFERENCES ab_user (id)
);
CREATE INDEX idx_theme_is_system_default ON themes (is_system_default);
CREATE INDEX idx_theme_is_system_dark ON themes (is_system_dark);

-- dashboards (superset/models/dashboard.py: Dashboard)
CREATE TABLE dashboards (
    created_on timestamp without time zone,
    changed_on timestamp without time zone,
    id serial NOT NULL,
    dashboard_title character varying(500),
    position_json text,                  -- layout JSON text
    created_by_fk integer,
    changed_by_fk integer,
    css text,
    description text,
    slug character varying(255),
    json_metadata text,                  -- JSON text
    published boolean,                   -- ORM default False; no server default
    uuid uuid,
    certified_by text,
    certification_details text,
    is_managed_externally boolean DEFAULT false NOT NULL,
    external_url text,
    theme_id integer,                    -- cd1fb11291f2
    CONSTRAINT dashboards_pkey PRIMARY KEY (id),
    CONSTRAINT idx_unique_slug UNIQUE (slug),
    CONSTRAINT uq_dashboards_uuid UNIQUE (uuid),
    CONSTRAINT dashboards_created_by_fk_fkey FOREIGN KEY (created_by_fk) REFERENCES ab_user (id),
    CONSTRAINT dashboards_changed_by_fk_fkey FOREIGN KEY (changed_by_fk) REFERENCES ab_user (id),
    CONSTRAINT fk_dashboards_theme_id_themes FOREIGN KEY (theme_id) REFERENCES themes (id)
);

CREATE TABLE dashboard_slices (
    id serial NOT NULL,
    dashboard_id integer,
    slice_id integer,
    CONSTRAINT dashboard_slices_pkey PRIMARY KEY (id),
    CONSTRAINT uq_dashboard_slice UNIQUE (dashboard_id, slice_id),
    CONSTRAINT fk_dashboard_slices_dashboard_id_dashboards FOREIGN KEY (dashboard_id)
        REFERENCES dashboards (id) ON DELETE CASCADE,
    CONSTRAINT fk_dashboard_slices_slice_id_slices FOREIGN KEY (slice_id)
        REFERENCES slices (id) ON DELETE CASCADE
);

-- dashboard_user (dashboard owners, <= 6.1)
CREATE TABLE dashboard_user (
    id serial NOT NULL,
    user_id integer,
    dashboard_id integer,
    CONSTRAINT dashboard_user_pkey PRIMARY KEY (id),
    CONSTRAINT fk_dashboard_user_user_id_ab_user FOREIGN KEY (user_id) REFERENCES ab_user (id) ON DELETE CASCADE,
    CONSTRAINT fk_dashboard_user_dashboard_id_dashboards FOREIGN KEY (dashboard_id)
        REFERENCES dashboards (id) ON DELETE CASCADE
);

-- dashboard_roles (DASHBOARD_RBAC, <= 6.1).  The ORM says dashboard_id NOT NULL;
-- migration e11ccdd12658 created it nullable (4b85906e5b91 added the CASCADEs).
CREATE TABLE dashboard_roles (
    id serial NOT NULL,
    role_id integer NOT NULL,
    dashboard_id integer,
    CONSTRAINT dashboard_roles_pkey PRIMARY KEY (id),
    CONSTRAINT fk_dashboard_roles_dashboard_id_dashboards FOREIGN KEY (dashboard_id)
        REFERENCES dashboards (id) ON DELETE CASCADE,
    CONSTRAINT fk_dashboard_roles_role_id_ab_role FOREIGN KEY (role_id)
        REFERENCES ab_role (id) ON DELETE CASCADE
);

-- embedded_dashboards (superset/models/embedded_dashboard.py).  The migration
-- created NO primary key (the ORM maps uuid as primary key) and no FKs on the
-- audit columns; mirrored.
CREATE TABLE embedded_dashboards (
    created_on timestamp without time zone,
    changed_on timestamp without time zone,
    allow_domain_list text,
    uuid uuid,
    dashboard_id integer NOT NULL,
    changed_by_fk integer,
    created_by_fk integer,
    CONSTRAINT fk_embedded_dashboards_dashboard_id_dashboards FOREIGN KEY (dashboard_id)
        REFERENCES dashboards (id) ON DELETE CASCADE
);

-- row_level_security_filters (RowLevelSecurityFilter)
CREATE TABLE row_level_security_filters (
    created_on timestamp without time zone,
    changed_on timestamp without time zone,
    id serial NOT NULL,
    clause text NOT NULL,                 -- SQL predicate; Jinja allowed
    created_by_fk integer,
    changed_by_fk integer,
    filter_type character varying(255),   -- 'Regular' | 'Base' (see enum note at top)
    group_key character varying(255),
    name character varying(255) NOT NULL,
    description text,
    CONSTRAINT row_level_security_filters_pkey PRIMARY KEY (id),
    CONSTRAINT uq_rls_name UNIQUE (name),
    CONSTRAINT row_level_security_filters_created_by_fk_fkey FOREIGN KEY (created_by_fk) REFERENCES ab_user (id),
    CONSTRAINT row_level_security_filters_changed_by_fk_fkey FOREIGN KEY (changed_by_fk) REFERENCES ab_user (id)
);
CREATE INDEX ix_row_level_security_filters_filter_type ON row_level_security_filters (filter_type);

CREATE TABLE rls_filter_roles (
    id serial NOT NULL,
    role_id integer NOT NULL,
    rls_filter_id integer,
    CONSTRAINT rls_filter_roles_pkey PRIMARY KEY (id),
    CONSTRAINT rls_filter_roles_role_id_fkey FOREIGN KEY (role_id) REFERENCES ab_role (id),
    CONSTRAINT rls_filter_roles_rls_filter_id_fkey FOREIGN KEY (rls_filter_id) REFERENCES row_level_security_filters (id)
);

CREATE TABLE rls_filter_tables (
    id serial NOT NULL,
    table_id integer,
    rls_filter_id integer,
    CONSTRAINT rls_filter_tables_pkey PRIMARY KEY (id),
    CONSTRAINT rls_filter_tables_table_id_fkey FOREIGN KEY (table_id) REFERENCES tables (id),
    CONSTRAINT rls_filter_tables_rls_filter_id_fkey FOREIGN KEY (rls_filter_id) REFERENCES row_level_security_filters (id)
);

-- tag / tagged_object (superset/tags/models.py).  type / object_type hold the
-- enum member NAMES ('custom','type','owner','favorited_by' /
-- 'query','chart','dashboard','dataset') in plain VARCHAR columns.
CREATE TABLE tag (
    created_on timestamp without time zone,
    changed_on timestamp without time zone,
    id serial NOT NULL,
    name character varying(250),
    type character varying,
    created_by_fk integer,
    changed_by_fk integer,
    description text,
    CONSTRAINT tag_pkey PRIMARY KEY (id),
    CONSTRAINT tag_name_key UNIQUE (name),
    CONSTRAINT tag_created_by_fk_fkey FOREIGN KEY (created_by_fk) REFERENCES ab_user (id),
    CONSTRAINT tag_changed_by_fk_fkey FOREIGN KEY (changed_by_fk) REFERENCES ab_user (id)
);

CREATE TABLE tagged_object (
    created_on timestamp without time zone,
    changed_on timestamp without time zone,
    id serial NOT NULL,
    tag_id integer,
    object_id integer,                    -- no DB FK (the ORM's FKs are not in the DB)
    object_type character varying,
    created_by_fk integer,
    changed_by_fk integer,
    CONSTRAINT tagged_object_pkey PRIMARY KEY (id),
    CONSTRAINT uix_tagged_object UNIQUE (tag_id, object_id, object_type),
    CONSTRAINT tagged_object_tag_id_fkey FOREIGN KEY (tag_id) REFERENCES tag (id),
    CONSTRAINT tagged_object_created_by_fk_fkey FOREIGN KEY (created_by_fk) REFERENCES ab_user (id),
    CONSTRAINT tagged_object_changed_by_fk_fkey FOREIGN KEY (changed_by_fk) REFERENCES ab_user (id)
);
CREATE INDEX ix_tagged_object_object_id ON tagged_object (object_id);

-- favstar (FavStar).  class_name: 'slice' for charts, 'Dashboard' for dashboards.
CREATE TABLE favstar (
    id serial NOT NULL,
    user_id integer,
    class_name character varying(50),
    obj_id integer,
    dttm timestamp without time zone,     -- ORM default utcnow
    uuid uuid,                            -- 7b17aa722e30 (no unique constraint in the DB)
    CONSTRAINT favstar_pkey PRIMARY KEY (id),
    CONSTRAINT favstar_user_id_fkey FOREIGN KEY (user_id) REFERENCES ab_user (id)
);

-- saved_query (superset/models/sql_lab.py: SavedQuery)
CREATE TABLE saved_query (
    created_on timestamp without time zone,
    changed_on timestamp without time zone,
    id serial NOT NULL,
    user_id integer,
    db_id integer,
    label character varying(256),
    schema character varying(128),
    sql text,
    description text,
    changed_by_fk integer,
    created_by_fk integer,
    extra_json text,
    last_run timestamp without time zone,
    rows integer,
    uuid uuid,
    template_parameters text,
    catalog character varying(256),       -- 5f57af97bc3f
    CONSTRAINT saved_query_pkey PRIMARY KEY (id),
    CONSTRAINT uq_saved_query_uuid UNIQUE (uuid),
    CONSTRAINT saved_query_user_id_fkey FOREIGN KEY (user_id) REFERENCES ab_user (id),
    CONSTRAINT saved_query_db_id_fkey FOREIGN KEY (db_id) REFERENCES dbs (id),
    CONSTRAINT saved_query_created_by_fk_fkey FOREIGN KEY (created_by_fk) REFERENCES ab_user (id),
    CONSTRAINT saved_query_changed_by_fk_fkey FOREIGN KEY (changed_by_fk) REFERENCES ab_user (id)
);

-- query (SQL Lab executions; superset/models/sql_lab.py: Query)
CREATE TABLE query (
    id serial NOT NULL,
    client_id character varying(11) NOT NULL,
    database_id integer NOT NULL,
    tmp_table_name character varying(256),
    tab_name character varying(256),
    sql_editor_id character varying(256),
    user_id integer,
    status character varying(16),
    schema character varying(256),
    sql text,
    select_sql text,
    executed_sql text,
    "limit" integer,
    select_as_cta boolean,
    select_as_cta_used boolean,
    progress integer,
    rows integer,
    error_message text,
    start_time numeric(20,6),             -- epoch milliseconds
    changed_on timestamp without time zone,
    end_time numeric(20,6),
    results_key character varying(64),
    start_running_time numeric(20,6),
    end_result_backend_time numeric(20,6),
    tracking_url text,
    extra_json text,
    tmp_schema_name character varying(256),
    ctas_method character varying(16),
    limiting_factor character varying(255) DEFAULT 'UNKNOWN'::character varying,
    catalog character varying(256),       -- 5f57af97bc3f
    CONSTRAINT query_pkey PRIMARY KEY (id),
    CONSTRAINT client_id UNIQUE (client_id),
    CONSTRAINT query_database_id_fkey FOREIGN KEY (database_id) REFERENCES dbs (id),
    CONSTRAINT query_user_id_fkey FOREIGN KEY (user_id) REFERENCES ab_user (id)
);
CREATE INDEX ix_query_results_key ON query (results_key);
CREATE INDEX ti_user_id_changed_on ON query (user_id, changed_on);
CREATE INDEX ix_sql_editor_id ON query (sql_editor_id);

-- logs (superset/models/core.py: Log).  MCP writes action = 'mcp.<tool>.<phase>'.
CREATE TABLE logs (
    id serial NOT NULL,
    action character varying(512),
    user_id integer,
    "json" text,
    dttm timestamp without time zone,     -- ORM default utcnow
    dashboard_id integer,
    slice_id integer,
    duration_ms integer,
    referrer character varying(1024),
    CONSTRAINT logs_pkey PRIMARY KEY (id),
    CONSTRAINT logs_user_id_fkey FOREIGN KEY (user_id) REFERENCES ab_user (id)
);
CREATE INDEX ix_logs_user_id_dttm ON logs (user_id, dttm);

-- key_value (superset/key_value/models.py: KeyValueEntry) -- permalinks etc.
CREATE TABLE key_value (
    id serial NOT NULL,
    resource character varying(32) NOT NULL,
    value bytea NOT NULL,
    uuid uuid,
    created_on timestamp without time zone,
    created_by_fk integer,
    changed_on timestamp without time zone,
    changed_by_fk integer,
    expires_on timestamp without time zone,
    CONSTRAINT key_value_pkey PRIMARY KEY (id),
    CONSTRAINT key_value_created_by_fk_fkey FOREIGN KEY (created_by_fk) REFERENCES ab_user (id),
    CONSTRAINT key_value_changed_by_fk_fkey FOREIGN KEY (changed_by_fk) REFERENCES ab_user (id)
);
CREATE UNIQUE INDEX ix_key_value_uuid ON key_value (uuid);
CREATE INDEX ix_key_value_expires_on ON key_value (expires_on);

-- Development-branch tools: tables Superset 6.1 has that the gateway's development tools read, in
-- Superset's exact DDL (alembic's), one block per group.

-- Development: tags, reports, annotation layers, themes
-- annotation_layer / annotation (superset/models/annotations.py: AnnotationLayer, Annotation):
-- ddd6ebdd853b (2017-09-13 "annotations") created both; 55e910a74826 added annotation.json_metadata
-- (Text; 17fcea065655 widens it to MEDIUMTEXT on MySQL only). The 6.1 ORM declares layer_id
-- nullable=False, but the migration created it nullable and none changed it: the DB wins. No uuid
-- column (the models have no ImportExportMixin); the constraint names are PostgreSQL's defaults.
CREATE TABLE annotation_layer (
    created_on timestamp without time zone,
    changed_on timestamp without time zone,
    id serial NOT NULL,
    name character varying(250),
    descr text,
    changed_by_fk integer,
    created_by_fk integer,
    CONSTRAINT annotation_layer_pkey PRIMARY KEY (id),
    CONSTRAINT annotation_layer_changed_by_fk_fkey FOREIGN KEY (changed_by_fk) REFERENCES ab_user (id),
    CONSTRAINT annotation_layer_created_by_fk_fkey FOREIGN KEY (created_by_fk) REFERENCES ab_user (id)
);

CREATE TABLE annotation (
    created_on timestamp without time zone,
    changed_on timestamp without time zone,
    id serial NOT NULL,
    start_dttm timestamp without time zone,
    end_dttm timestamp without time zone,
    layer_id integer,                     -- ORM: nullable=False; DB: nullable (see above)
    short_descr character varying(500),
    long_descr text,
    changed_by_fk integer,
    created_by_fk integer,
    json_metadata text,                   -- 55e910a74826
    CONSTRAINT annotation_pkey PRIMARY KEY (id),
    CONSTRAINT annotation_changed_by_fk_fkey FOREIGN KEY (changed_by_fk) REFERENCES ab_user (id),
    CONSTRAINT annotation_created_by_fk_fkey FOREIGN KEY (created_by_fk) REFERENCES ab_user (id),
    CONSTRAINT annotation_layer_id_fkey FOREIGN KEY (layer_id) REFERENCES annotation_layer (id)
);
CREATE INDEX ti_dag_state ON annotation (layer_id, start_dttm, end_dttm);


-- Alerts & reports (superset/reports/models.py), as the migrations leave them on PostgreSQL:
-- 49b5a32daba5 (tables), 5daced1f0e76 (working_timeout), ab104a954a8f (crontab 1000),
-- c878781977c6 (unique name+type replaces the name constraints), 301362411006 (log uuid),
-- 19e978e1b9c3 (report_format), ae1ed299413b (timezone), 3317e9248280 (creation_method),
-- abe27eaf93db + ffa79af61a56 (extra, NOT NULL, renamed extra_json), bb38f40aa3ff
-- (force_screenshot), 8e5b0fb85b9a (custom_width/height), 6d05b0a70c89 (owners' CASCADEs),
-- 65a167d4c62e (indexes), 9621c6d56ffb (email_subject).  The ORM's Python defaults (active,
-- last_state, log_retention, grace_period, working_timeout, validator_config_json, ...) are not
-- in the DB; the ORM's UniqueConstraint(user_id, report_schedule_id) on report_schedule_user was
-- never migrated.
CREATE TABLE report_schedule (
    id serial NOT NULL,
    type character varying(50) NOT NULL,
    name character varying(150) NOT NULL,
    description text,
    context_markdown text,
    active boolean,
    crontab character varying(1000) NOT NULL,
    sql text,
    chart_id integer,
    dashboard_id integer,
    database_id integer,
    last_eval_dttm timestamp without time zone,
    last_state character varying(50),
    last_value double precision,
    last_value_row_json text,
    validator_type character varying(100),
    validator_config_json text,
    log_retention integer,
    grace_period integer,
    created_on timestamp without time zone,
    changed_on timestamp without time zone,
    created_by_fk integer,
    changed_by_fk integer,
    working_timeout integer,
    report_format character varying(50) DEFAULT 'PNG',
    timezone character varying(100) DEFAULT 'UTC' NOT NULL,
    creation_method character varying(255) DEFAULT 'alerts_reports',
    extra_json text NOT NULL,
    force_screenshot boolean,
    custom_width integer,
    custom_height integer,
    email_subject character varying(255),
    CONSTRAINT report_schedule_pkey PRIMARY KEY (id),
    CONSTRAINT uq_report_schedule_name_type UNIQUE (name, type),
    CONSTRAINT report_schedule_chart_id_fkey FOREIGN KEY (chart_id) REFERENCES slices (id),
    CONSTRAINT report_schedule_dashboard_id_fkey FOREIGN KEY (dashboard_id) REFERENCES dashboards (id),
    CONSTRAINT report_schedule_database_id_fkey FOREIGN KEY (database_id) REFERENCES dbs (id),
    CONSTRAINT report_schedule_changed_by_fk_fkey FOREIGN KEY (changed_by_fk) REFERENCES ab_user (id),
    CONSTRAINT report_schedule_created_by_fk_fkey FOREIGN KEY (created_by_fk) REFERENCES ab_user (id)
);
CREATE INDEX ix_report_schedule_active ON report_schedule (active);
CREATE INDEX ix_creation_method ON report_schedule (creation_method);

CREATE TABLE report_execution_log (
    id serial NOT NULL,
    scheduled_dttm timestamp without time zone NOT NULL,
    start_dttm timestamp without time zone,
    end_dttm timestamp without time zone,
    value double precision,
    value_row_json text,
    state character varying(50) NOT NULL,
    error_message text,
    report_schedule_id integer NOT NULL,
    uuid uuid,
    CONSTRAINT report_execution_log_pkey PRIMARY KEY (id),
    CONSTRAINT report_execution_log_report_schedule_id_fkey FOREIGN KEY (report_schedule_id)
        REFERENCES report_schedule (id)
);
CREATE INDEX ix_report_execution_log_report_schedule_id ON report_execution_log (report_schedule_id);
CREATE INDEX ix_report_execution_log_start_dttm ON report_execution_log (start_dttm);

CREATE TABLE report_recipient (
    id serial NOT NULL,
    type character varying(50) NOT NULL,
    recipient_config_json text,
    report_schedule_id integer NOT NULL,
    created_on timestamp without time zone,
    changed_on timestamp without time zone,
    created_by_fk integer,
    changed_by_fk integer,
    CONSTRAINT report_recipient_pkey PRIMARY KEY (id),
    CONSTRAINT report_recipient_report_schedule_id_fkey FOREIGN KEY (report_schedule_id)
        REFERENCES report_schedule (id),
    CONSTRAINT report_recipient_changed_by_fk_fkey FOREIGN KEY (changed_by_fk) REFERENCES ab_user (id),
    CONSTRAINT report_recipient_created_by_fk_fkey FOREIGN KEY (created_by_fk) REFERENCES ab_user (id)
);
CREATE INDEX ix_report_recipient_report_schedule_id ON report_recipient (report_schedule_id);

CREATE TABLE report_schedule_user (
    id serial NOT NULL,
    user_id integer NOT NULL,
    report_schedule_id integer NOT NULL,
    CONSTRAINT report_schedule_user_pkey PRIMARY KEY (id),
    CONSTRAINT fk_report_schedule_user_user_id_ab_user FOREIGN KEY (user_id)
        REFERENCES ab_user (id) ON DELETE CASCADE,
    CONSTRAINT fk_report_schedule_user_report_schedule_id_report_schedule FOREIGN KEY (report_schedule_id)
        REFERENCES report_schedule (id) ON DELETE CASCADE
);

-- alembic_version
CREATE TABLE alembic_version (
    version_num character varying(32) NOT NULL,
    CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);
INSERT INTO alembic_version (version_num) VALUES ('ce6bd21901ab');
