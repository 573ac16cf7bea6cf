/**
 * `.dockerignore` (docker's patternmatcher): one pattern a line, `#` lines
 * and blank lines skipped, `!` re-includes, a leading `/` is dropped, `*`
 * and `?` stop at `/`, `**` spans directories, `[…]` is a class and `\`
 * escapes. A path is ignored when the last pattern matching it (or one of
 * its parent directories) is not an exclusion. Pure: main applies it while
 * it packs a context as the user, the helper again on what it receives.
 */
import path from 'node:path';

interface Pattern {
  re: RegExp;
  exclusion: boolean;
}

function compile(glob: string): RegExp {
  let re = '^';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        i++;
        if (glob[i + 1] === '/') {
          i++;
          re += '(?:.*/)?';
        } else re += '.*';
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        let cls = glob.slice(i + 1, end).replace(/\\/g, '\\\\');
        if (cls.startsWith('!')) cls = '^' + cls.slice(1);
        re += `[${cls}]`;
        i = end;
      }
    } else if (c === '\\' && i + 1 < glob.length) re += escapeRe(glob[++i] as string);
    else re += escapeRe(c);
  }
  return new RegExp(re + '$');
}

function escapeRe(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

export class DockerIgnore {
  private readonly patterns: Pattern[];
  readonly hasExclusions: boolean;

  constructor(text: string) {
    this.patterns = [];
    for (const raw of text.split(/\r?\n/)) {
      let line = raw.trim();
      if (line === '' || line.startsWith('#')) continue;
      const exclusion = line.startsWith('!');
      if (exclusion) line = line.slice(1).trim();
      line = path.posix.normalize(line).replace(/^\/+/, '').replace(/\/+$/, '');
      if (line === '' || line === '.') continue;
      this.patterns.push({ re: compile(line), exclusion });
    }
    this.hasExclusions = this.patterns.some((p) => p.exclusion);
  }

  /** Whether `rel` (slash-separated, relative to the context) is left out. */
  ignores(rel: string): boolean {
    const clean = path.posix.normalize(rel).replace(/^\/+/, '');
    const parents: string[] = [];
    const parts = clean.split('/');
    for (let i = 1; i < parts.length; i++) parents.push(parts.slice(0, i).join('/'));
    let ignored = false;
    for (const p of this.patterns) {
      if (p.exclusion === ignored) {
        // Only a pattern of the other kind can change the answer.
        if (p.re.test(clean) || parents.some((d) => p.re.test(d))) ignored = !p.exclusion;
      }
    }
    return ignored;
  }
}
