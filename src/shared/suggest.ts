/**
 * "did you mean ...?" for unknown names: the closest candidate by edit
 * distance, when it is close enough to be a plausible typo.
 */

/** Levenshtein distance, with transpositions counted as one edit (sigmma/sigma, lamdba/lambda). */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[rows - 1][cols - 1];
}

/** The nearest candidate within max(1, len/3) edits (case-insensitive ties go to the first candidate), or undefined. */
export function nearestName(name: string, candidates: Iterable<string>): string | undefined {
  // Names are capped at 64 characters, but unknown text can be longer; a very long
  // name has no plausible typo match and would make the distance table large.
  if (name.length > 64) return undefined;
  const budget = Math.max(1, Math.floor(name.length / 3));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    if (candidate === name || Math.abs(candidate.length - name.length) > budget) continue;
    const distance = candidate.toLowerCase() === name.toLowerCase() ? 0.5 : editDistance(name, candidate);
    if (distance <= budget && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** "; did you mean 'sigma'?" or "". */
export function didYouMean(name: string, candidates: Iterable<string>): string {
  const best = nearestName(name, candidates);
  return best === undefined ? '' : `; did you mean '${best}'?`;
}
