export { createDispatcher, unknownToolError } from './dispatcher'
export type {
  CallDeclined,
  CallOptions,
  ChannelOnly,
  CompletionRef,
  ConfirmationRequired,
  ToolAnswer,
  ToolOutcome,
} from './dispatcher'
export type { Dispatcher } from './dispatcher'
export { createRequestScope } from './scope'
export { forgetPrincipals, rememberedPrincipal } from './principal-cache'
export type { RequestScope } from './scope'
export type { CallServices } from './ports'
