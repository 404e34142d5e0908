export { createVirtualDataset } from './create'
export { getDatasetInfo, listDatasets } from './tools'
