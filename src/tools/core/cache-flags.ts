import * as z from 'zod'

/** Superset's cache-control request fields (QueryCacheControl / MetadataCacheControl). */
export const CacheControlFields = {
  use_cache: z.boolean().optional().describe('Use a cached answer if there is one (default true).'),
  force_refresh: z.boolean().optional().describe('Ignore cached answers and refresh them (default false).'),
  refresh_metadata: z
    .boolean()
    .optional()
    .describe('Accepted for compatibility; same as force_refresh here.'),
}

/** Whether an answer came from the cache (hit), was computed and cached (miss), or skipped it (bypass). */
export const CacheStatusField = {
  cache_status: z
    .enum(['hit', 'miss', 'bypass'])
    .optional()
    .describe('Whether the answer came from the cache.'),
}
