export { cacheKeys } from './keys'
export { CACHE_KINDS, clearMemoryCache, createToolCache } from './tool-cache'
export type { CacheKind } from './tool-cache'
export {
  CHANGES_MAX_AGE_MS,
  CHANGES_REFRESH_AFTER_MS,
  changesFreshForMs,
  changesTiming,
  currentChanges,
  forgetChanges,
  refreshChanges,
} from './external-changes'
export type { ChangesSnapshot, ChangesTiming } from './external-changes'
export { MemoryCache } from './memory'
export type { CacheLookup, CacheRequest, ToolCache, ToolCacheOptions } from './tool-cache'
