import { messageWithHint, type GatewayError } from '../../errors'

/**
 * The failures Superset 6.1 answers inside a tool's response model when the tool reports failure
 * in-band: the request could not be done as asked (not found, not allowed, content that does not fit
 * the data, a conflict). Limits, authentication, timeouts and the gateway's own faults stay errors.
 */
export function isDomainFailure(failure: GatewayError): boolean {
  return (
    failure.type === 'ValidationError' ||
    failure.type === 'NotFoundError' ||
    failure.type === 'PermissionDeniedError' ||
    failure.type === 'ConflictError'
  )
}

/** The `error` string of an in-band answer: the same message and hint an error result carries. */
export function inBandMessage(failure: GatewayError): string {
  return messageWithHint(failure)
}
