/**
 * The glob of docker's `reference=` filter: `*` is any run of characters
 * other than `/`, `?` is any one character, everything else (brackets
 * included) is literal; the whole name must match.
 *
 * Matched by simulating the pattern's automaton over the name (one set of
 * pattern positions per character read), never by a backtracking regex:
 * `^[^/]*a[^/]*a…$` took seconds for ~18 stars against a long name. The work
 * is at most (name length + 1) × (pattern length + 1) steps, whatever the
 * pattern.
 */

const STAR = -1;
const ANY = -2;

/** Line terminators: what the old regex's `.` (for `?`) did not match. */
function isLineTerminator(c: number): boolean {
  return c === 0x0a || c === 0x0d || c === 0x2028 || c === 0x2029;
}

export interface GlobMatcher {
  /** Whether `name` matches; `steps.n` (when given) grows by the work done. */
  test(name: string, steps?: { n: number }): boolean;
}

export function compileGlob(pattern: string): GlobMatcher {
  // One token per UTF-16 code unit (as the regex saw them); runs of stars are one star.
  const toks: number[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern.charCodeAt(i);
    if (c === 0x2a /* * */) {
      if (toks[toks.length - 1] !== STAR) toks.push(STAR);
    } else toks.push(c === 0x3f /* ? */ ? ANY : c);
  }
  const m = toks.length;

  return {
    test(name: string, steps?: { n: number }): boolean {
      // cur/next: which pattern positions are live; lists keep each step O(live).
      let cur = new Uint8Array(m + 1);
      let next = new Uint8Array(m + 1);
      let live: number[] = [];
      let nextLive: number[] = [];
      let work = 0;
      // Adds position p and, through stars matching nothing, the ones after it.
      const add = (set: Uint8Array, list: number[], p: number): void => {
        while (p <= m && set[p] === 0) {
          set[p] = 1;
          list.push(p);
          work++;
          if (toks[p] !== STAR) return;
          p++;
        }
      };
      add(cur, live, 0);
      for (let i = 0; i < name.length && live.length > 0; i++) {
        const c = name.charCodeAt(i);
        for (const p of live) {
          work++;
          if (p === m) continue;
          const t = toks[p]!;
          if (t === STAR) {
            if (c !== 0x2f /* / */) add(next, nextLive, p);
          } else if (t === ANY ? !isLineTerminator(c) : t === c) {
            add(next, nextLive, p + 1);
          }
        }
        for (const p of live) cur[p] = 0;
        [cur, next] = [next, cur];
        [live, nextLive] = [nextLive, live];
        nextLive.length = 0;
      }
      if (steps) steps.n += work;
      return cur[m] === 1;
    },
  };
}
