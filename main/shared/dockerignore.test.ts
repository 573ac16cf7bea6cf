import { describe, expect, it } from 'vitest';
import { DockerIgnore } from './dockerignore';

describe('DockerIgnore', () => {
  it('matches globs, ** across dirs, parents, and re-includes with !', () => {
    const di = new DockerIgnore('# comment\n\n*.log\n/build\n**/tmp\n!keep.log\nsecret?.txt\n');
    expect(di.ignores('a.log')).toBe(true);
    expect(di.ignores('dir/a.log')).toBe(false); // * stops at /
    expect(di.ignores('keep.log')).toBe(false);
    expect(di.ignores('build/out/x')).toBe(true); // a parent matches
    expect(di.ignores('a/b/tmp/x')).toBe(true);
    expect(di.ignores('tmp')).toBe(true);
    expect(di.ignores('secret1.txt')).toBe(true);
    expect(di.ignores('secret12.txt')).toBe(false);
    expect(di.ignores('src/main.c')).toBe(false);
  });

  it('lets a later exclusion re-include a file under an ignored dir', () => {
    const di = new DockerIgnore('docs\n!docs/README.md\n');
    expect(di.ignores('docs/a.md')).toBe(true);
    expect(di.ignores('docs/README.md')).toBe(false);
    expect(di.hasExclusions).toBe(true);
  });
});
