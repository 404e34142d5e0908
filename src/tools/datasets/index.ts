export { createVirtualDataset } from './create'
export { getDatasetInfo, listDatasets } from './tools'
export { queryDataset } from './query'
export { createDataset } from './create-table'
