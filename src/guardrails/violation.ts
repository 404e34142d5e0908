export type ViolationKind =
  'function' | 'operator' | 'type' | 'construct' | 'subquery' | 'placeholder' | 'relation'

/** Something a statement may not do; callers turn it into the error of their path. */
export class GuardrailViolation extends Error {
  readonly kind: ViolationKind
  readonly subject: string
  readonly why: string

  constructor(kind: ViolationKind, subject: string, why: string) {
    super(`${subject}: ${why}`)
    this.name = 'GuardrailViolation'
    this.kind = kind
    this.subject = subject
    this.why = why
  }
}
