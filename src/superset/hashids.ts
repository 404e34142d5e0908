/**
 * The hashids algorithm as the Python `hashids` package (1.3, the one Superset 6.1 pins) implements it:
 * Superset's permalink keys are `Hashids(salt, min_length=11).encode(key_value.id)`
 * (superset/key_value/utils.py). Written here because the npm `hashids` package is not a dependency of the
 * gateway; it must agree with Python character for character, so it follows hashids.py step by step
 * (code points, not UTF-16 units, as Python's str). Numbers are bigints: Python's are unbounded, and a key
 * decodes to whatever a crafted string spells.
 */

const DEFAULT_ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ1234567890'
const SEPARATOR_CANDIDATES = 'cfhistuCFHISTU'
const RATIO_SEPARATORS = 3.5
const RATIO_GUARDS = 12

type Chars = readonly string[]

const chars = (text: string): string[] => Array.from(text)
const ord = (char: string): number => char.codePointAt(0) ?? 0

/** hashids.py `_reorder`: a salt-driven shuffle of `alphabet`. */
function reorder(alphabet: Chars, salt: Chars): string[] {
  const out = [...alphabet]
  if (salt.length === 0) return out
  let index = 0
  let integerSum = 0
  for (let i = out.length - 1; i > 0; i -= 1) {
    const integer = ord(salt[index] as string)
    integerSum += integer
    const j = (integer + index + integerSum) % i
    ;[out[i], out[j]] = [out[j] as string, out[i] as string]
    index = (index + 1) % salt.length
  }
  return out
}

/** hashids.py `_hash`: `number` in base len(alphabet), most significant digit first. */
function hash(number: bigint, alphabet: Chars): string[] {
  const base = BigInt(alphabet.length)
  const hashed: string[] = []
  let rest = number
  do {
    hashed.unshift(alphabet[Number(rest % base)] as string)
    rest /= base
  } while (rest > 0n)
  return hashed
}

/** hashids.py `_unhash`; undefined where Python's `alphabet.index` raises ValueError. */
function unhash(hashed: Chars, alphabet: Chars): bigint | undefined {
  const base = BigInt(alphabet.length)
  let number = 0n
  for (const char of hashed) {
    const position = alphabet.indexOf(char)
    if (position < 0) return undefined
    number = number * base + BigInt(position)
  }
  return number
}

/** hashids.py `_split`: the parts between any of `splitters` (empty parts kept). */
function split(text: Chars, splitters: Chars): string[][] {
  const parts: string[][] = [[]]
  for (const char of text) {
    if (splitters.includes(char)) parts.push([])
    else (parts[parts.length - 1] as string[]).push(char)
  }
  return parts
}

const ratio = (dividend: number, divisor: number): number => Math.ceil(dividend / divisor)

export class Hashids {
  private readonly salt: string[]
  private readonly minLength: number
  private readonly alphabet: string[]
  private readonly separators: string[]
  private readonly guards: string[]

  constructor(salt = '', minLength = 0, alphabet = DEFAULT_ALPHABET) {
    this.salt = chars(salt)
    this.minLength = Math.max(Math.trunc(minLength), 0)
    const given = chars(alphabet)
    let separators = chars(SEPARATOR_CANDIDATES).filter((char) => given.includes(char))
    let letters = given.filter((char, index) => given.indexOf(char) === index && !separators.includes(char))
    const separatorCount = separators.length
    if (letters.length + separatorCount < 16)
      throw new Error('Alphabet must contain at least 16 unique characters.')
    separators = reorder(separators, this.salt)
    let minSeparators = ratio(letters.length, RATIO_SEPARATORS)
    if (separators.length === 0 || separatorCount < minSeparators) {
      if (minSeparators === 1) minSeparators = 2
      if (minSeparators > separatorCount) {
        const splitAt = minSeparators - separatorCount
        separators = [...separators, ...letters.slice(0, splitAt)]
        letters = letters.slice(splitAt)
      }
    }
    letters = reorder(letters, this.salt)
    const guardCount = ratio(letters.length, RATIO_GUARDS)
    if (letters.length < 3) {
      this.guards = separators.slice(0, guardCount)
      this.separators = separators.slice(guardCount)
    } else {
      this.guards = letters.slice(0, guardCount)
      letters = letters.slice(guardCount)
      this.separators = separators
    }
    this.alphabet = letters
  }

  /** `Hashids.encode(*values)`: '' unless there is at least one value and none is negative. */
  encode(...values: readonly bigint[]): string {
    if (values.length === 0 || values.some((value) => value < 0n)) return ''
    let alphabet: string[] = this.alphabet
    const valuesHash = values.reduce((sum, value, i) => sum + Number(value % BigInt(i + 100)), 0)
    const lottery = alphabet[valuesHash % alphabet.length] as string
    let encoded: string[] = [lottery]
    values.forEach((value, i) => {
      const alphabetSalt = [lottery, ...this.salt, ...alphabet].slice(0, alphabet.length)
      alphabet = reorder(alphabet, alphabetSalt)
      const last = hash(value, alphabet)
      encoded.push(...last)
      const rest = value % BigInt(ord(last[0] as string) + i)
      encoded.push(this.separators[Number(rest % BigInt(this.separators.length))] as string)
    })
    encoded = encoded.slice(0, -1)
    if (encoded.length < this.minLength) encoded = this.ensureLength(encoded, alphabet, valuesHash)
    return encoded.join('')
  }

  /** `Hashids.decode(hashid)`: the numbers, or [] when `hashid` is not exactly what encode would give. */
  decode(hashid: string): bigint[] {
    if (hashid === '') return []
    const parts = split(chars(hashid), this.guards)
    const inner = (parts.length >= 2 && parts.length <= 3 ? parts[1] : parts[0]) as string[]
    if (inner.length === 0) return []
    const [lottery, ...rest] = inner as [string, ...string[]]
    let alphabet: string[] = this.alphabet
    const numbers: bigint[] = []
    for (const part of split(rest, this.separators)) {
      const alphabetSalt = [lottery, ...this.salt, ...alphabet].slice(0, alphabet.length)
      alphabet = reorder(alphabet, alphabetSalt)
      const number = unhash(part, alphabet)
      if (number === undefined) return []
      numbers.push(number)
    }
    return this.encode(...numbers) === hashid ? numbers : []
  }

  /** hashids.py `_ensure_length`: guards, then halves of reshuffled alphabets around the hash. */
  private ensureLength(start: string[], lastAlphabet: string[], valuesHash: number): string[] {
    const guards = this.guards
    let encoded = [guards[(valuesHash + ord(start[0] as string)) % guards.length] as string, ...start]
    if (encoded.length < this.minLength)
      encoded.push(guards[(valuesHash + ord(encoded[2] as string)) % guards.length] as string)
    let alphabet = lastAlphabet
    const splitAt = Math.floor(alphabet.length / 2)
    while (encoded.length < this.minLength) {
      alphabet = reorder(alphabet, alphabet)
      encoded = [...alphabet.slice(splitAt), ...encoded, ...alphabet.slice(0, splitAt)]
      const excess = encoded.length - this.minLength
      if (excess > 0) {
        const from = Math.floor(excess / 2)
        encoded = encoded.slice(from, from + this.minLength)
      }
    }
    return encoded
  }
}
