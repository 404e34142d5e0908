export { createDispatcher, unknownToolError } from './dispatcher'
export type { Dispatcher } from './dispatcher'
export { createRequestScope } from './scope'
export type { Identity, RequestScope } from './scope'
