/**
 * Column helpers shared by the model specs: humanized timestamps, owners, tags, JSON text columns.
 */
import { sql, trusted } from '../../db'
import { naturalTime } from '../humanize'
import type { SupersetLinks } from '../links'
import type { ColumnSpec, Row } from './model'

export function sqlColumn(type: ColumnSpec['type'], description: string, expression: string): ColumnSpec {
  return { type, description, sql: trusted(expression) }
}

/**
 * A `timestamp without time zone` column as Superset serialises it: naive ISO-8601 text
 * (`2026-04-30T12:34:56.123456`), ordered by the timestamp itself.
 */
export function timestampColumn(description: string, expression: string): ColumnSpec {
  return {
    type: 'datetime',
    description,
    sql: trusted(`to_char(${expression}, 'YYYY-MM-DD"T"HH24:MI:SS.US')`),
    sortSql: trusted(expression),
  }
}

/** Superset's naive timestamps are UTC in practice (Superset runs with TZ=UTC in its containers). */
export function parseNaiveTimestamp(value: unknown): Date | null {
  if (value === null || value === undefined) return null
  if (value instanceof Date) return value
  const text = String(value)
  const date = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(text) ? text : `${text}Z`)
  return Number.isNaN(date.getTime()) ? null : date
}

/** `changed_on_humanized` style: relative to the request's clock. */
export function humanized(source: string, description: string): ColumnSpec {
  return {
    type: 'str',
    description,
    needs: [source],
    compute: (row, context) => {
      const date = parseNaiveTimestamp(row[source])
      return date === null ? null : naturalTime(date, context.now)
    },
  }
}

/** `created_by` / `changed_by` (username) and `*_name` (full name) of an audit column. */
export function auditUserColumns(alias: string, prefix: 'created' | 'changed'): Record<string, ColumnSpec> {
  const fk = `${alias}.${prefix}_by_fk`
  return {
    [`${prefix}_by`]: {
      type: 'str',
      description: `Username of the user who ${prefix === 'created' ? 'created' : 'last changed'} it.`,
      sql: trusted(`(SELECT au.username FROM ab_user au WHERE au.id = ${fk})`),
    },
    [`${prefix}_by_name`]: {
      type: 'str',
      description: `Full name of the user who ${prefix === 'created' ? 'created' : 'last changed'} it.`,
      sql: trusted(`(SELECT trim(au.first_name || ' ' || au.last_name) FROM ab_user au WHERE au.id = ${fk})`),
    },
  }
}

/** Tags attached through tagged_object (object_type: dashboard, chart, dataset, query). */
export function tagsColumn(objectType: 'dashboard' | 'chart' | 'dataset', alias: string): ColumnSpec {
  return {
    type: 'list',
    description: 'Tags attached to the object.',
    sql: sql`COALESCE((SELECT json_agg(json_build_object('id', tg.id, 'name', tg.name, 'type', tg.type::text,
                'description', tg.description) ORDER BY tg.name)
              FROM tagged_object tob JOIN tag tg ON tg.id = tob.tag_id
             WHERE tob.object_type::text = ${objectType} AND tob.object_id = ${trusted(alias)}.id), '[]'::json)`,
  }
}

/** A JSON document stored as text (params, json_metadata): parsed when valid, the raw text otherwise. */
export function parseJsonText(value: unknown): unknown {
  if (typeof value !== 'string' || value.trim() === '') return value ?? null
  try {
    return JSON.parse(value) as unknown
  } catch {
    return value
  }
}

export function jsonTextColumn(description: string, expression: string): ColumnSpec {
  return { type: 'dict', description, sql: trusted(expression) }
}

export function urlColumn(needs: string[], build: (row: Row, links: SupersetLinks) => string): ColumnSpec {
  return {
    type: 'str',
    description: 'Link to the object in Superset.',
    needs,
    compute: (row, context) => build(row, context.links),
  }
}

/** The audit and identity columns every Superset model shares (AuditMixinNullable, ImportExportMixin). */
export function auditColumns(alias: string): Record<string, ColumnSpec> {
  return {
    uuid: sqlColumn('str', 'UUID.', `${alias}.uuid::text`),
    created_on: timestampColumn('Creation time (UTC).', `${alias}.created_on`),
    changed_on: timestampColumn('Last change (UTC).', `${alias}.changed_on`),
    created_by_fk: sqlColumn('int', 'Id of the creating user.', `${alias}.created_by_fk`),
    changed_by_fk: sqlColumn('int', 'Id of the last changing user.', `${alias}.changed_by_fk`),
    ...auditUserColumns(alias, 'created'),
    ...auditUserColumns(alias, 'changed'),
    created_on_humanized: humanized('created_on', 'Creation time, relative ("3 days ago").'),
    changed_on_humanized: humanized('changed_on', 'Last change, relative ("3 days ago").'),
  }
}

/** A JSON document stored as text, returned parsed. */
export function parsedJsonColumn(description: string, expression: string): ColumnSpec {
  return { type: 'dict', description, sql: trusted(expression), transform: parseJsonText }
}
