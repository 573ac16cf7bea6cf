/**
 * Docker's word processing for Dockerfile arguments (buildkit's shell.Lex):
 * quotes are removed, the escape character escapes, and `$VAR`, `${VAR}`,
 * `${VAR:-default}`, `${VAR-default}`, `${VAR:+alt}`, `${VAR+alt}` and
 * `${VAR:?message}` are substituted from the build's variables. RUN, CMD and
 * ENTRYPOINT are not processed (the shell does that); everything else is.
 */
import { BerthError } from '../../../preload/errors';

export type Vars = ReadonlyMap<string, string>;

const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_]/;

class Lexer {
  private i = 0;
  constructor(
    private readonly s: string,
    private readonly vars: Vars,
    private readonly escape: string,
    private readonly line: number,
    /** Heredoc content (buildkit's RawQuotes + RawEscapes): quotes and escapes stay as written. */
    private readonly raw = false,
  ) {}

  private peek(): string | undefined {
    return this.s[this.i];
  }

  /** One word up to `stop` (a char) or end; `split`: also stop at unquoted whitespace. */
  word(stop: string | null, split: boolean): { text: string; quoted: boolean } {
    let out = '';
    let quoted = false;
    for (;;) {
      const c = this.peek();
      if (c === undefined || c === stop) break;
      if (split && /\s/.test(c)) break;
      if (this.raw && c !== '$') {
        out += c;
        this.i++;
        // An escaped character is kept with its escape and never expanded (`\$HOME` stays).
        if (c === this.escape && this.peek() !== undefined) out += this.s[this.i++];
        continue;
      }
      if (c === "'") {
        quoted = true;
        this.i++;
        const end = this.s.indexOf("'", this.i);
        if (end < 0) throw this.err('unterminated single quote');
        out += this.s.slice(this.i, end);
        this.i = end + 1;
      } else if (c === '"') {
        quoted = true;
        this.i++;
        out += this.doubleQuoted();
      } else if (c === '$') {
        out += this.dollar();
      } else if (c === this.escape) {
        this.i++;
        const n = this.peek();
        if (n !== undefined) {
          out += n;
          this.i++;
        }
      } else {
        out += c;
        this.i++;
      }
    }
    return { text: out, quoted };
  }

  private doubleQuoted(): string {
    let out = '';
    for (;;) {
      const c = this.peek();
      if (c === undefined) throw this.err('unterminated double quote');
      if (c === '"') {
        this.i++;
        return out;
      }
      if (c === '$') {
        out += this.dollar();
        continue;
      }
      this.i++;
      if (c === this.escape) {
        const n = this.peek();
        if (n === undefined) continue;
        if (n === '"' || n === '$' || n === this.escape) {
          out += n;
          this.i++;
          continue;
        }
      }
      out += c;
    }
  }

  private dollar(): string {
    this.i++; // '$'
    const c = this.peek();
    if (c === '{') {
      this.i++;
      const name = this.name();
      if (!name) throw this.err('bad substitution: a variable name was expected after ${');
      const c2 = this.peek();
      if (c2 === '}') {
        this.i++;
        return this.vars.get(name) ?? '';
      }
      let colon = false;
      if (c2 === ':') {
        colon = true;
        this.i++;
      }
      const op = this.peek();
      if (op !== '-' && op !== '+' && op !== '?')
        throw this.err(`unsupported modifier (${op ?? 'end'}) in substitution`);
      this.i++;
      const inner = this.word('}', false).text;
      if (this.peek() !== '}') throw this.err('missing } in substitution');
      this.i++;
      const value = this.vars.get(name);
      const unset = value === undefined || (colon && value === '');
      if (op === '-') return unset ? inner : (value ?? '');
      if (op === '+') return unset ? '' : inner;
      if (unset) throw this.err(`${name}: ${inner || 'is not set'}`);
      return value ?? '';
    }
    if (c !== undefined && NAME_START.test(c)) return this.vars.get(this.name()) ?? '';
    return '$';
  }

  private name(): string {
    let n = '';
    const first = this.peek();
    if (first === undefined || !NAME_START.test(first)) return '';
    while (this.peek() !== undefined && NAME_CHAR.test(this.peek() as string)) n += this.s[this.i++];
    return n;
  }

  skipSpace(): boolean {
    while (this.peek() !== undefined && /\s/.test(this.peek() as string)) this.i++;
    return this.peek() !== undefined;
  }

  private err(msg: string): BerthError {
    return new BerthError('BUILD_SYNTAX', `line ${this.line}: ${msg}`, { line: this.line });
  }
}

/** One word: quotes removed, variables substituted, whitespace kept. */
export function processWord(s: string, vars: Vars, escape = '\\', line = 0): string {
  return new Lexer(s, vars, escape, line).word(null, false).text;
}

/** Variables substituted in a heredoc's text; quotes and escapes kept as written. */
export function expandHeredoc(s: string, vars: Vars, escape = '\\', line = 0): string {
  return new Lexer(s, vars, escape, line, true).word(null, false).text;
}

/** Words split at unquoted whitespace, each processed as `processWord` does. */
export function processWords(s: string, vars: Vars, escape = '\\', line = 0): string[] {
  const lx = new Lexer(s, vars, escape, line);
  const out: string[] = [];
  while (lx.skipSpace()) {
    const w = lx.word(null, true);
    if (w.text !== '' || w.quoted) out.push(w.text);
  }
  return out;
}

/**
 * Splits at unquoted whitespace keeping quotes and escapes in place (docker's
 * parseWords), for `KEY=VALUE` lists whose values are processed afterwards.
 */
export function rawWords(s: string, escape = '\\'): string[] {
  const out: string[] = [];
  let cur = '';
  let quote: string | null = null;
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (quote === null && /\s/.test(c)) {
      if (cur) out.push(cur);
      cur = '';
      continue;
    }
    cur += c;
    if (c === escape && i + 1 < s.length && quote !== "'") {
      cur += s[++i];
      continue;
    }
    if (quote === null && (c === '"' || c === "'")) quote = c;
    else if (quote === c) quote = null;
  }
  if (cur) out.push(cur);
  return out;
}
