export { createChartGuided, quickstart } from './prompts'
export {
  allSchemas,
  chartConfigs,
  chartSchema,
  dashboardSchema,
  datasetSchema,
  instanceMetadata,
} from './resources'
export { getSchema } from './schema-tool'
export { getInstanceInfo, healthCheck } from './tools'
