/**
 * Confirmation of destructive calls, enforced by the gateway (docs/SECURITY.md): the policy (ask or not,
 * the fallback for clients that cannot be asked) and the signed, single-use, short-lived request state a
 * confirmation carries. The dispatcher runs the flow; the nonce is consumed through limits/.
 */
export { asksToConfirm, cannotConfirmError, confirmationKey, declinedMessage } from './policy'
export {
  CONFIRMATION_TTL_MS,
  issueConfirmationState,
  issueRoundState,
  openRoundState,
  stateUsedError,
  verifyConfirmationState,
  type ConfirmationBinding,
  type VerifiedState,
} from './state'
