/**
 * The `limits` check of /health: limit documents that are not in force (invalid or unreadable), named by
 * tenant with the problem. It reads the stored documents itself, so a fresh isolate reports them too.
 */
import { documentStoreFor, type DocumentProblem, type RequestIo } from './store'
import { DOCUMENT_PREFIX, tenantOfKey } from '../limit-documents'

/** Documents read per check at most (two KV reads each when not cached); others are reported once seen. */
export const HEALTH_SCAN_MAX_DOCUMENTS = 100

export interface LimitsCheck {
  status: 'ok' | 'warning' | 'error'
  message?: string
  documents?: number
  problems?: { tenant: string; problem: string }[]
  [extra: string]: unknown
}

export async function limitsHealth(kv: KVNamespace, io: RequestIo): Promise<LimitsCheck> {
  const store = documentStoreFor(kv)
  let listing: KVNamespaceListResult<unknown>
  let problems: DocumentProblem[]
  try {
    listing = await kv.list({ prefix: DOCUMENT_PREFIX, limit: HEALTH_SCAN_MAX_DOCUMENTS })
    const tenants = listing.keys.map((key) => tenantOfKey(key.name))
    const states = await Promise.all(tenants.map((tenant) => store.state(tenant, io)))
    problems = tenants.flatMap((tenant, index) => {
      const problem = states[index]?.problem
      return problem === undefined ? [] : [{ tenant, problem }]
    })
    // Beyond the scan, what this isolate saw itself while serving calls.
    if (!listing.list_complete)
      problems.push(...store.recentProblems().filter(({ tenant }) => !tenants.includes(tenant)))
  } catch (err) {
    return {
      status: 'error',
      // /health is public: the error's class, never its message (which can name internals).
      message: `Limit documents could not be read: ${err instanceof Error ? err.name : 'error'}`,
    }
  }
  const documents = listing.keys.length
  const scan = listing.list_complete ? {} : { scanned_first: documents }
  if (problems.length === 0) return { status: 'ok', documents, ...scan }
  const message = problems.map(({ tenant, problem }) => `tenant "${tenant}": ${problem}`).join(' | ')
  return { status: 'warning', message, documents, ...scan, problems }
}
