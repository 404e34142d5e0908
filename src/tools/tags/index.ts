export { getTagInfo, listTags } from './tools'
