/**
 * The MCP conformance suite's fixtures (test_simple_text, test://static-text, test_simple_prompt, …):
 * listed beside the catalogue only with MCP_CONFORMANCE_FIXTURES=true, which a production
 * configuration refuses (docs/CONFORMANCE.md).
 */
export { CONFORMANCE_PROMPTS } from './prompts'
export { CONFORMANCE_RESOURCE_TEMPLATES, CONFORMANCE_RESOURCES } from './resources'
export { CONFORMANCE_TOOLS } from './tools'
