import { describe, expect, it } from 'vitest';
import { matchesReference } from './describe';
import { compileGlob } from './glob';

/** The compilation this matcher replaced: the oracle for equivalence. */
function oldGlobToRegExp(glob: string): RegExp {
  const esc = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '[^/]*')
    .replace(/\?/g, '.');
  return new RegExp(`^${esc}$`);
}

const PATTERNS = [
  '',
  '*',
  '**',
  '?',
  'busybox',
  'busybox*',
  'busy*',
  '*box',
  '*/*',
  'docker.io/*',
  'docker.io/library/*',
  'docker.io/library/*:*',
  '*:latest',
  'b?sybox',
  '?*',
  '*?',
  'a*b*c',
  '*a*a*a*',
  'lib/*/x',
  '[abc]',
  'a.b',
  'a+b',
  '(x)|y',
  '^a$',
  '\\*',
  'a?/b',
  '*?*',
  '*/?*',
  'registry:5000/*',
  'x*y?z',
];
const NAMES = [
  '',
  'a',
  '/',
  'busybox',
  'busybox:latest',
  'docker.io/library/busybox',
  'docker.io/library/busybox:latest',
  'docker.io/library/busybox:1.36',
  'library/busybox',
  'bosybox',
  'abc',
  'aXbYc',
  'a/b/c',
  'aaa',
  'a/a/a',
  'lib/foo/x',
  'lib/foo/bar/x',
  '[abc]',
  'a',
  'a.b',
  'aXb',
  'a+b',
  'aab',
  '(x)|y',
  '^a$',
  '\\',
  '\\x',
  'a//b',
  'ab/b',
  'a\nb',
  'registry:5000/app:1',
  'xyz',
  'x/y?z',
  'xqyqz',
  'x/ywz',
];

describe('compileGlob', () => {
  it('agrees with the old [^/]* regex on every pattern × name of the table', () => {
    let compared = 0;
    for (const p of PATTERNS) {
      const re = oldGlobToRegExp(p);
      const g = compileGlob(p);
      for (const n of NAMES) {
        expect([p, n, g.test(n)]).toEqual([p, n, re.test(n)]);
        compared++;
      }
    }
    expect(compared).toBe(PATTERNS.length * NAMES.length);
  });

  it('agrees with the old regex on random short patterns and names', () => {
    // A fixed-seed generator over an alphabet where stars, slashes and ? collide.
    let seed = 12345;
    const rnd = (k: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % k;
    };
    const pick = (alphabet: string, len: number): string =>
      Array.from({ length: len }, () => alphabet[rnd(alphabet.length)]).join('');
    for (let i = 0; i < 3000; i++) {
      const p = pick('ab/*?.', rnd(7));
      const n = pick('ab/.', rnd(9));
      expect([p, n, compileGlob(p).test(n)]).toEqual([p, n, oldGlobToRegExp(p).test(n)]);
    }
  });

  it('30 stars against long names: bounded steps (≤ (n+1)(m+1)), no backtracking', () => {
    const pattern = Array.from({ length: 30 }, () => '*a').join('') + '*b';
    const g = compileGlob(pattern);
    const m = pattern.length;
    for (const name of ['a'.repeat(255), 'a'.repeat(4096), `${'a'.repeat(2000)}/${'a'.repeat(2000)}`]) {
      const steps = { n: 0 };
      expect(g.test(name, steps)).toBe(false);
      // Each character visits each live pattern position at most once, plus the closure adds.
      expect(steps.n).toBeLessThanOrEqual(2 * (name.length + 1) * (m + 1));
      expect(steps.n).toBeGreaterThan(name.length); // it did read the name
      console.log(`glob of 30 stars (${m} tokens) against a ${name.length}-char name: ${steps.n} steps`);
    }
    const yes = { n: 0 };
    expect(g.test(`${'a'.repeat(300)}b`, yes)).toBe(true);
    expect(yes.n).toBeLessThanOrEqual(2 * 302 * (m + 1));
  });

  it('matchesReference: familiar and full names, with and without the tag', () => {
    const tags = ['docker.io/library/busybox:latest'];
    expect(matchesReference('busybox', tags)).toBe(true);
    expect(matchesReference('busybox:latest', tags)).toBe(true);
    expect(matchesReference('docker.io/library/*', tags)).toBe(true);
    expect(matchesReference('busy*', tags)).toBe(true);
    expect(matchesReference('*/*/busybox', tags)).toBe(true);
    expect(matchesReference('alpine*', tags)).toBe(false);
    expect(matchesReference(`${'*a'.repeat(30)}*b`, [`docker.io/library/${'a'.repeat(200)}:latest`])).toBe(false);
  });
});
