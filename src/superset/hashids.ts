/**
 * Superset's permalink keys are `Hashids(salt, min_length=11).encode(key_value.id)` with the Python
 * `hashids` package (superset/key_value/utils.py). The npm `hashids` package implements the same algorithm
 * and agrees with it character for character (Superset's own test vector and the published examples in
 * test/worker/permalinks.test.ts, code-point salts included). This adapter keeps Python's answers where the
 * two APIs differ: ids are bigints (Python's ints are unbounded, and a crafted key spells any number), a key
 * with characters outside the alphabet decodes to no ids (npm throws), and a negative id encodes to ''.
 */
import NpmHashids from 'hashids'

export class Hashids {
  private readonly inner: NpmHashids

  constructor(salt = '', minLength = 0) {
    this.inner = new NpmHashids(salt, minLength)
  }

  encode(...ids: bigint[]): string {
    if (ids.length === 0 || ids.some((id) => id < 0n)) return ''
    return this.inner.encode(ids)
  }

  decode(key: string): bigint[] {
    try {
      return this.inner.decode(key).map((id) => BigInt(id))
    } catch {
      return []
    }
  }
}
