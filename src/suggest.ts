/** Close matches for a misspelt name, best first (Levenshtein distance, case-insensitive). */
export function closeMatches(name: string, candidates: readonly string[], limit = 3): string[] {
  const target = name.toLowerCase()
  const maxDistance = Math.max(2, Math.floor(target.length / 3))
  return candidates
    .map((candidate) => ({ candidate, distance: distance(target, candidate.toLowerCase()) }))
    .filter(({ candidate, distance: d }) => d <= maxDistance || candidate.toLowerCase().includes(target))
    .sort((a, b) => a.distance - b.distance || a.candidate.localeCompare(b.candidate))
    .slice(0, limit)
    .map(({ candidate }) => candidate)
}

function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
      )
    }
    previous = current
  }
  return previous[b.length] ?? 0
}
