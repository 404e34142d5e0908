export { createLogger, describeError } from './logger'
export type { LogFields, Logger, LogSink } from './logger'
