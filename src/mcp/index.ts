export { handleMcp, mcpMethodNotAllowed } from './route'
export { createMcpServer, INSTRUCTIONS, SERVER_NAME } from './server'
