/**
 * BM25 (Okapi) ranking over a handful of short documents, as FastMCP's BM25SearchTransform ranks tools
 * for Superset 6.1: lower-cased words of letters and digits, one-character words dropped, k1 = 1.5,
 * b = 0.75, idf = ln((N − df + 0.5) / (df + 0.5) + 1), so a word in every document still counts a little.
 * Written here rather than taken from npm (README, "Dependency notes"): it is some fifty lines, and the
 * libraries rank differently (minisearch scores BM25+ with its own tokenizer and field weights;
 * wink-bm25-text-search needs a text-preparation pipeline configured), so results would not be 6.1's.
 */

const K1 = 1.5
const B = 0.75

/** Words of a text: lower case, split at anything but a-z and 0-9, longer than one character. */
function tokenize(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word.length > 1)
}

export class Bm25Index {
  private readonly frequencies: Map<string, number>[]
  private readonly lengths: number[]
  private readonly averageLength: number
  /** In how many documents each word occurs. */
  private readonly documentFrequency = new Map<string, number>()

  constructor(documents: readonly string[]) {
    this.frequencies = documents.map((document) => {
      const counts = new Map<string, number>()
      for (const word of tokenize(document)) counts.set(word, (counts.get(word) ?? 0) + 1)
      for (const word of counts.keys())
        this.documentFrequency.set(word, (this.documentFrequency.get(word) ?? 0) + 1)
      return counts
    })
    this.lengths = documents.map((_, index) =>
      [...this.frequencies[index]!.values()].reduce((total, count) => total + count, 0),
    )
    const total = this.lengths.reduce((sum, length) => sum + length, 0)
    this.averageLength = documents.length === 0 ? 0 : total / documents.length
  }

  /** Indices of the best `limit` documents for the query, best first; documents scoring 0 never. */
  rank(query: string, limit: number): number[] {
    const count = this.frequencies.length
    const scores = new Array<number>(count).fill(0)
    for (const word of tokenize(query)) {
      const df = this.documentFrequency.get(word)
      if (df === undefined) continue
      const idf = Math.log((count - df + 0.5) / (df + 0.5) + 1)
      for (let index = 0; index < count; index++) {
        const tf = this.frequencies[index]!.get(word) ?? 0
        if (tf === 0) continue
        const norm = 1 - B + (B * this.lengths[index]!) / this.averageLength
        scores[index] = scores[index]! + (idf * tf * (K1 + 1)) / (tf + K1 * norm)
      }
    }
    // Array.prototype.sort is stable: equal scores keep the catalogue's order.
    return scores
      .map((score, index) => ({ score, index }))
      .filter((entry) => entry.score > 0)
      .sort((a, b) => b.score - a.score)
      .slice(0, limit)
      .map((entry) => entry.index)
  }
}
