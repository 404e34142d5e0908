/**
 * Superset's dashboard permalinks, read as GetDashboardPermalinkCommand reads them
 * (superset/commands/dashboard/permalink/get.py): the key is a hashids encoding of a `key_value` row's id
 * (superset/key_value/utils.py, min_length 11) with a salt that is itself a shared entry of key_value; the
 * row (resource `dashboard_permalink`) holds `{dashboardId, state}` as JSON, checked by
 * DashboardPermalinkSchema; an expired row is no row. The gateway never writes here: where 6.1 would
 * create the missing salt (get_permalink_salt), no permalink can have been made with it, so the answer is
 * the same "not found".
 */
import * as z from 'zod'
import { sql, type Db } from '../../db'
import { GatewayError } from '../../errors'
import { Hashids } from '../hashids'
import { NOW_UTC } from '../timestamps'

/**
 * key_value.uuid of SharedKey.DASHBOARD_PERMALINK_SALT (resource `app`): `uuid3(get_uuid_namespace(''),
 * 'dashboard_permalink_salt')` (superset/key_value/shared_entries.py), the namespace being the first 16
 * bytes of SHA-256('') under 6.1's default HASH_ALGORITHM, or MD5('') under 'md5', the default
 * HASH_ALGORITHM_FALLBACKS (older installs' salt). test/worker/permalinks.test.ts derives both.
 */
export const PERMALINK_SALT_UUIDS = {
  sha256: 'df372616-687b-3304-b8a3-46055dface5a',
  md5: 'ca4e4125-7261-3c4b-ad75-9da40b3d6dda',
} as const

/** superset/key_value/utils.py HASHIDS_MIN_LENGTH. */
const HASHIDS_MIN_LENGTH = 11
/** key_value.id is a PostgreSQL integer: a key decoding past it names no row. */
const MAX_ROW_ID = 2_147_483_647n
/**
 * The keys Superset makes: hashids of an integer id, 11 to about 15 characters of its alphabet. Anything
 * else is no permalink, answered before decoding (hashids takes time quadratic in the key's length).
 */
const PLAUSIBLE_KEY = /^[A-Za-z0-9]{1,64}$/
/** Keys of dataMask and chartStates: native filter ids, chart ids. They are shown unmarked (keys never are). */
const STATE_KEY = /^[\w-]{1,128}$/

// superset/dashboards/permalink/schemas.py, as Marshmallow loads it: unknown keys are refused (RAISE).
const StateSchema = z.strictObject({
  dataMask: z.record(z.string().regex(STATE_KEY), z.unknown()).nullable().optional(),
  activeTabs: z.array(z.string()).nullable().optional(),
  urlParams: z
    .array(z.tuple([z.string().nullable(), z.string().nullable()]))
    .nullable()
    .optional(),
  anchor: z.string().nullable().optional(),
  chartStates: z.record(z.string().regex(STATE_KEY), z.unknown()).nullable().optional(),
})
const PermalinkSchema = z.strictObject({ dashboardId: z.string(), state: StateSchema.optional() })

/** DashboardPermalinkValue: the dashboard (its id, uuid or slug, as a string) and the state shared. */
export type DashboardPermalink = z.infer<typeof PermalinkSchema>

/**
 * The permalink `key` names, or why none: `invalid_key` (not one hashid of this salt: 6.1's
 * KeyValueParseKeyError), `not_found` (no live row: 6.1's None), `no_salt` (no permalink was ever made).
 */
export type PermalinkLookup =
  { found: DashboardPermalink } | { missing: 'invalid_key' | 'not_found' | 'no_salt' }

export async function readDashboardPermalink(db: Db, key: string): Promise<PermalinkLookup> {
  if (!PLAUSIBLE_KEY.test(key)) return { missing: 'invalid_key' }
  // The current algorithm's salt first, then the fallback's (6.1 reads them in that order).
  const [saltRow] = await db.query<{ value: string }>(sql`
    SELECT encode(value, 'base64') AS value FROM key_value
     WHERE resource = 'app' AND uuid = ANY(${[PERMALINK_SALT_UUIDS.sha256, PERMALINK_SALT_UUIDS.md5]}::uuid[])
       AND (expires_on IS NULL OR expires_on > ${NOW_UTC})
     ORDER BY uuid = ${PERMALINK_SALT_UUIDS.sha256}::uuid DESC
     LIMIT 1`)
  if (saltRow === undefined) return { missing: 'no_salt' }
  const salt = storedJson(saltRow.value, key)
  if (typeof salt !== 'string') throw unreadable(key)
  const ids = new Hashids(salt, HASHIDS_MIN_LENGTH).decode(key)
  if (ids.length !== 1) return { missing: 'invalid_key' }
  const id = ids[0] as bigint
  if (id > MAX_ROW_ID) return { missing: 'not_found' }
  const [row] = await db.query<{ value: string }>(sql`
    SELECT encode(value, 'base64') AS value FROM key_value
     WHERE resource = 'dashboard_permalink' AND id = ${Number(id)}
       AND (expires_on IS NULL OR expires_on > ${NOW_UTC})`)
  if (row === undefined) return { missing: 'not_found' }
  const parsed = PermalinkSchema.safeParse(storedJson(row.value, key))
  if (!parsed.success) throw unreadable(key)
  return { found: parsed.data }
}

/**
 * Whether the permalink's `dashboardId` names this dashboard, read as Superset's id_or_slug_filter reads
 * it: an integer is the id, a UUID the uuid, anything else the slug.
 */
export function isPermalinkOf(
  permalink: DashboardPermalink,
  dashboard: { id: number; uuid: string | null; slug: string | null },
): boolean {
  const reference = permalink.dashboardId
  const asInt = pythonInt(reference)
  if (asInt !== undefined) return asInt === BigInt(dashboard.id)
  const asUuid = pythonUuid(reference)
  if (asUuid !== undefined) return dashboard.uuid !== null && asUuid === pythonUuid(dashboard.uuid)
  return dashboard.slug === reference
}

/** Python's int(str): optional sign, digits with single underscores, surrounding whitespace. */
function pythonInt(text: string): bigint | undefined {
  const trimmed = text.trim()
  if (!/^[+-]?\d+(_\d+)*$/.test(trimmed)) return undefined
  return BigInt(trimmed.replaceAll('_', ''))
}

/** uuid.UUID(str): `urn:`/`uuid:` prefixes, braces and hyphens dropped, 32 hex digits; lower case. */
function pythonUuid(text: string): string | undefined {
  const hex = text
    .replaceAll('urn:', '')
    .replaceAll('uuid:', '')
    .replace(/^[{}]+|[{}]+$/g, '')
    .replaceAll('-', '')
  return /^[0-9a-fA-F]{32}$/.test(hex) ? hex.toLowerCase() : undefined
}

/** A key_value value (bytea) as JsonKeyValueCodec decodes it: UTF-8 JSON. */
function storedJson(base64: string, key: string): unknown {
  try {
    const bytes = Uint8Array.from(atob(base64.replace(/\s+/g, '')), (char) => char.charCodeAt(0))
    return JSON.parse(new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes))
  } catch (err) {
    throw unreadable(key, err)
  }
}

// 6.1 lets the codec's error escape the command, and get_dashboard_info answers it as an InternalError.
function unreadable(key: string, cause?: unknown): GatewayError {
  return new GatewayError(
    'InternalError',
    `The stored value of dashboard permalink '${key}' (or of its salt) is not one Superset can read. Copy a new permalink from the dashboard in Superset.`,
    { cause },
  )
}
