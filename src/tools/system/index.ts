export { createChartGuided, quickstart } from './prompts'
export { chartConfigs, instanceMetadata } from './resources'
export { getSchema } from './schema-tool'
export { getInstanceInfo, healthCheck } from './tools'
