export { authenticate, DEFAULT_TENANT } from './authenticate'
export { MCP_RESOURCE_METADATA_PATH, RESOURCE_METADATA_PATH, resourceMetadataUrl } from './challenge'
export { jwksKvKey } from './jwks'
export { protectedResourceMetadata } from './metadata'
