/**
 * Everything one request needs to call tools, created per request: the metadata database (opened
 * lazily), the caller's Superset principal (loaded once, lazily), the logger and the configuration.
 */
import type { Config } from '../config'
import { describeError } from '../errors'
import { createMetadataDb, type RequestDb } from '../db'
import type { Logger } from '../observability'
import type { Identity } from '../auth'
import type { Principal, SchemaProfile } from '../superset'
import {
  assertSupportedLayout,
  changeFeedMode,
  getSchemaProfile,
  loadPrincipal,
  readExternalGenerations,
  supersetLinks,
} from '../superset'
import {
  changesFreshForMs,
  changesTiming,
  currentChanges,
  refreshChanges,
  type ChangesSnapshot,
} from '../cache'
import { rememberedPrincipal } from './principal-cache'
import { deliverAuditRecords, type AuditRecord } from '../audit'
import { noEffects, UNREACHABLE_CLIENT, type ToolContext } from '../tools'
import type { CallServices } from './ports'

export interface RequestScope {
  readonly requestId: string
  readonly config: Config
  readonly log: Logger
  readonly identity: Identity
  readonly db: RequestDb
  readonly services: CallServices
  /** Headers the route adds to the HTTP response (remaining quota, Retry-After, cache status). */
  readonly responseHeaders: Headers
  readonly transport: 'mcp' | 'http'
  /** The caller's W3C trace id, once the route has read it (traceparent in `_meta` or the header). */
  traceId(): string | undefined
  schema(): Promise<SchemaProfile>
  /**
   * What this isolate knows of changes made in Superset's tables (src/cache/external-changes.ts), read
   * first when it is too old; undefined where nothing is cached (no catalog cache, no principal cache).
   */
  changes(): Promise<ChangesSnapshot | undefined>
  /** How much longer, in ms, the request's view of changes is used without reading again (Infinity: none). */
  changesFreshForMs(): Promise<number>
  principal(): Promise<Principal>
  toolContext(): Promise<ToolContext>
  /** Queues a tool call for the audit trail. */
  audit(record: AuditRecord): void
  /**
   * After the response: refreshes the isolate's view of Superset's changes when it is due, hands the
   * audit records on (queue or database), then closes the metadata pool.
   */
  finish(): Promise<void>
}

/**
 * When this isolate first served a tool call (an isolate-wide fact, so module scope). workerd's clock
 * reads the epoch while modules load, so the start cannot be taken there.
 */
let servingSince: Date | undefined

export function createRequestScope(options: {
  requestId: string
  config: Config
  log: Logger
  identity: Identity
  services: CallServices
  transport: 'mcp' | 'http'
  /** The caller's trace id; read when a call is recorded, since the MCP route learns it from the body. */
  traceId?: () => string | undefined
  /** The AUDIT_QUEUE binding, when the deployment has one (src/audit/delivery.ts). */
  auditQueue?: Queue<AuditRecord> | undefined
}): RequestScope {
  const { config, log, identity } = options
  const db = createMetadataDb(config.database, log)
  const auditRecords: AuditRecord[] = []
  let schema: Promise<SchemaProfile> | undefined
  let principal: Promise<Principal> | undefined
  const loadSchema = (): Promise<SchemaProfile> => {
    schema ??= getSchemaProfile(db, config.database.url).then((profile) => {
      assertSupportedLayout(profile)
      return profile
    })
    return schema
  }
  // Changes in Superset's tables matter only to what is cached: catalog answers and principals.
  const watchesChanges = config.cache.enabled || config.principalCacheSeconds > 0
  const timing = changesTiming(config)
  const changesKey = `${config.database.url}\n${config.freshnessTest.mode}`
  const readChanges = async () => {
    const profile = await loadSchema()
    return readExternalGenerations(db, profile, changeFeedMode(profile, config.freshnessTest.mode))
  }
  let changes: Promise<ChangesSnapshot | undefined> | undefined
  const loadChanges = (): Promise<ChangesSnapshot | undefined> => {
    changes ??= watchesChanges ? currentChanges(changesKey, readChanges, timing) : Promise.resolve(undefined)
    return changes
  }
  const loadCaller = (): Promise<Principal> => {
    principal ??= Promise.all([loadSchema(), loadChanges()]).then(([profile, seen]) =>
      rememberedPrincipal(
        // A change of roles or grants in Superset changes the key: a principal loaded before it is not reused.
        `${config.database.url}\n${identity.tenant}\n${JSON.stringify(identity.lookup)}\n${seen?.generations.permissions ?? ''}`,
        config.principalCacheSeconds,
        () =>
          loadPrincipal(db, profile, identity.lookup, {
            adminRole: config.superset.adminRole,
            tenant: identity.tenant,
          }),
      ),
    )
    return principal
  }
  return {
    requestId: options.requestId,
    config,
    log,
    identity,
    db,
    services: options.services,
    responseHeaders: new Headers(),
    transport: options.transport,
    traceId: options.traceId ?? (() => undefined),
    audit: (record) => auditRecords.push(record),
    finish: async () => {
      if (watchesChanges) {
        await refreshChanges(changesKey, readChanges, timing).catch((err: unknown) =>
          log.warn('changes_refresh_failed', describeError(err)),
        )
      }
      const pending = auditRecords.splice(0)
      await deliverAuditRecords(pending, { queue: options.auditQueue, db, log })
      await db.close()
    },
    schema: loadSchema,
    changes: loadChanges,
    changesFreshForMs: async () => {
      const seen = await loadChanges()
      return seen === undefined ? Number.POSITIVE_INFINITY : changesFreshForMs(seen, timing)
    },
    principal: loadCaller,
    toolContext: async () => {
      const [profile, caller] = await Promise.all([loadSchema(), loadCaller()])
      const now = new Date()
      servingSince ??= now
      return {
        principal: caller,
        db,
        schema: profile,
        config,
        links: supersetLinks(config.superset.baseUrl),
        log,
        now,
        servingSince,
        effects: noEffects(),
        client: UNREACHABLE_CLIENT,
      }
    },
  }
}
