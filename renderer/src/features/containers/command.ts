/**
 * Splits a command line the way a POSIX shell splits words, without running
 * anything: whitespace separates words; '…' is literal; "…" keeps spaces and
 * lets \ escape " \ $ ` and newline; a bare \ escapes the next character.
 * `sh -c "echo hi; sleep 1"` → ["sh", "-c", "echo hi; sleep 1"].
 */
export type SplitResult = { ok: true; args: string[] } | { ok: false; error: string };

export function splitCommand(input: string): SplitResult {
  const args: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  while (i < input.length) {
    const c = input[i]!;
    if (c === "'") {
      const end = input.indexOf("'", i + 1);
      if (end < 0) return { ok: false, error: `unterminated ' quote (opened at column ${i + 1})` };
      word += input.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === '"') {
      const start = i;
      i++;
      let closed = false;
      while (i < input.length) {
        const d = input[i]!;
        if (d === '"') {
          closed = true;
          i++;
          break;
        }
        if (d === '\\' && i + 1 < input.length && '"\\$`\n'.includes(input[i + 1]!)) {
          if (input[i + 1] !== '\n') word += input[i + 1];
          i += 2;
          continue;
        }
        word += d;
        i++;
      }
      if (!closed) return { ok: false, error: `unterminated " quote (opened at column ${start + 1})` };
      inWord = true;
    } else if (c === '\\') {
      if (i + 1 >= input.length) return { ok: false, error: 'a trailing \\ escapes nothing' };
      if (input[i + 1] !== '\n') {
        word += input[i + 1];
        inWord = true;
      }
      i += 2;
    } else if (c === ' ' || c === '\t' || c === '\n') {
      if (inWord) args.push(word);
      word = '';
      inWord = false;
      i++;
    } else {
      word += c;
      inWord = true;
      i++;
    }
  }
  if (inWord) args.push(word);
  return { ok: true, args };
}

/** The reverse, for showing an argv: quote only the words that need it. */
export function joinCommand(args: readonly string[]): string {
  return args
    .map((a) => (a !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`))
    .join(' ');
}
