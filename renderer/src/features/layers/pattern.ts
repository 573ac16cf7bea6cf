/**
 * The path filter of the Layer inspector: a substring, or a glob when the
 * pattern has `*` or `?`.
 * - substring: anywhere in the absolute path ("passwd", "/usr/lib");
 * - glob without "/": the whole entry name ("*.so", "lib?.a");
 * - glob with "/": the whole absolute path, a leading "/" implied
 *   ("etc/*.conf", "/usr/**\/*.so"); `*` and `?` stop at "/", `**` does not.
 * Smart case: case-insensitive unless the pattern has an upper-case letter.
 */

export type PathMatcher = (path: string, name: string) => boolean;

function escapeRegExp(s: string): string {
  return s.replace(/[.+^${}()|[\]\\]/g, '\\$&');
}

export function isGlob(pattern: string): boolean {
  return /[*?]/.test(pattern);
}

function globToRegExp(glob: string, flags: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i] as string;
    if (ch === '*') {
      if (glob[i + 1] === '*') {
        // "**/" also matches zero directories.
        if (glob[i + 2] === '/') {
          re += '(?:.*/)?';
          i += 2;
        } else {
          re += '.*';
          i += 1;
        }
      } else {
        re += '[^/]*';
      }
    } else if (ch === '?') {
      re += '[^/]';
    } else {
      re += escapeRegExp(ch);
    }
  }
  return new RegExp(`^${re}$`, flags);
}

/** Null for an empty pattern (matches everything). */
export function compilePattern(pattern: string): PathMatcher | null {
  const p = pattern.trim();
  if (p === '') return null;
  const ignoreCase = p === p.toLowerCase();
  if (!isGlob(p)) {
    if (!ignoreCase || !/[a-z]/.test(p)) return (path) => path.includes(p);
    const re = new RegExp(escapeRegExp(p), 'i');
    return (path) => re.test(path);
  }
  const flags = ignoreCase ? 'i' : '';
  if (!p.includes('/')) {
    const re = globToRegExp(p, flags);
    return (_path, name) => re.test(name);
  }
  const re = globToRegExp(p.startsWith('/') ? p : `/${p}`, flags);
  return (path) => re.test(path);
}
