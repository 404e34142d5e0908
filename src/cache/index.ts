export { cacheKeys } from './keys'
export { clearMemoryCache, createToolCache } from './tool-cache'
export { MemoryCache } from './memory'
export type { CacheLookup, CacheRequest, ToolCache, ToolCacheOptions } from './tool-cache'
