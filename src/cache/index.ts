export { CACHE_KEY_VERSION, cacheKeys } from './keys'
export { clearMemoryCache, createToolCache, permissionFingerprint } from './tool-cache'
export type {
  CacheLookup,
  CachePolicy,
  CacheRequest,
  CacheStatus,
  ToolCache,
  ToolCacheOptions,
} from './tool-cache'
