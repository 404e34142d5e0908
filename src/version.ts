/** The gateway's version, reported by /health, health_check and the MCP server info. */
export const GATEWAY_VERSION = '0.1.0'
export const SERVICE_NAME = 'Superset MCP Gateway'
