/**
 * Splits a command string shell-words style, as compose does for a string
 * `command:` / `entrypoint:` (no shell runs it): whitespace separates words,
 * single quotes are literal, double quotes allow \" \\ \$ \` escapes, a bare
 * backslash escapes the next character.
 */
import { BerthError } from '../../../preload/errors';

export function shellWords(s: string, where: string): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (/\s/.test(c)) {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
      continue;
    }
    inWord = true;
    if (c === "'") {
      const end = s.indexOf("'", i + 1);
      if (end < 0) throw new BerthError('COMPOSE_INVALID', `${where}: unterminated ' in "${s}"`);
      cur += s.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < s.length && s[j] !== '"'; j++) {
        if (s[j] === '\\' && j + 1 < s.length && '"\\$`'.includes(s[j + 1]!)) j++;
        cur += s[j];
      }
      if (j >= s.length) throw new BerthError('COMPOSE_INVALID', `${where}: unterminated " in "${s}"`);
      i = j;
    } else if (c === '\\' && i + 1 < s.length) {
      cur += s[++i];
    } else cur += c;
  }
  if (inWord) words.push(cur);
  return words;
}
