export { cacheKeys } from './keys'
export { clearMemoryCache, createToolCache } from './tool-cache'
export type {
  CacheLookup,
  CachePolicy,
  CacheRequest,
  CacheStatus,
  ToolCache,
  ToolCacheOptions,
} from './tool-cache'
