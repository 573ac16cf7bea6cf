/**
 * A small evaluator for the Go-template subset docker users write in
 * `--format`: text with actions `{{.Field}}`, `{{.A.B}}`, `{{json .}}`,
 * `{{.Label "k"}}`, `{{upper .Names}}`, `{{join .List ", "}}`,
 * `{{truncate .ID 5}}`, pipelines `{{.Names | upper}}`, parentheses, string,
 * number and bool literals, and `{{-`/`-}}` trimming. No `if`/`range`/`with`
 * (a clear error names them): lists are printed with `join` or `json`.
 *
 * Nothing is ever eval'd: the text is tokenised and walked. Errors read like
 * Go's (`template: :1:9: executing "" at <.Nme>: can't evaluate field Nme in
 * type container`) and carry the code TEMPLATE_INVALID.
 */
import { BerthError } from '../../../preload/errors';

/** What a field may hold. A function is a method that takes arguments (`.Label "k"`). */
export type TemplateValue =
  string | number | boolean | null | TemplateValue[] | { readonly [key: string]: TemplateValue } | TemplateFunction;
export type TemplateFunction = (...args: TemplateValue[]) => TemplateValue;

type Operand =
  | { kind: 'dot'; pos: number }
  | { kind: 'field'; chain: string[]; pos: number; text: string }
  | { kind: 'ident'; name: string; pos: number }
  | { kind: 'literal'; value: TemplateValue; pos: number }
  | { kind: 'paren'; pipe: Pipeline; pos: number; chain?: string[] };
type Command = Operand[];
type Pipeline = Command[];
type Node = { kind: 'text'; text: string } | { kind: 'action'; pipe: Pipeline; pos: number; text: string };

export interface CompiledTemplate {
  /** Runs the template on one value (the row). */
  execute(dot: TemplateValue, typeName?: string): string;
}

function fail(src: string, pos: number, msg: string): never {
  const before = src.slice(0, pos);
  const line = before.split('\n').length;
  throw new BerthError('TEMPLATE_INVALID', `template: :${line}: ${msg}`);
}

const FUNCS: Record<string, { min: number; max: number; fn: (args: TemplateValue[]) => TemplateValue }> = {
  json: { min: 1, max: 1, fn: ([v]) => goJson(v!) },
  upper: { min: 1, max: 1, fn: ([v]) => str(v!).toUpperCase() },
  lower: { min: 1, max: 1, fn: ([v]) => str(v!).toLowerCase() },
  title: {
    min: 1,
    max: 1,
    fn: ([v]) => str(v!).replace(/(^|[^\p{L}\p{N}])(\p{L})/gu, (_, a, b) => a + b.toUpperCase()),
  },
  join: {
    min: 2,
    max: 2,
    fn: ([list, sep]) => {
      if (!Array.isArray(list)) throw new TypeError(`expected a list, got ${typeOf(list!)}`);
      return list.map(str).join(str(sep!));
    },
  },
  split: { min: 2, max: 2, fn: ([s, sep]) => str(s!).split(str(sep!)) },
  truncate: {
    min: 2,
    max: 2,
    fn: ([s, n]) => {
      if (typeof n !== 'number') throw new TypeError('the length must be a number');
      return [...str(s!)].slice(0, Math.max(0, n)).join('');
    },
  },
  pad: {
    min: 3,
    max: 3,
    fn: ([s, before, after]) => ' '.repeat(num(before!)) + str(s!) + ' '.repeat(num(after!)),
  },
  len: {
    min: 1,
    max: 1,
    fn: ([v]) => {
      if (typeof v === 'string') return [...v].length;
      if (Array.isArray(v)) return v.length;
      if (v !== null && typeof v === 'object') return Object.keys(v).length;
      throw new TypeError(`len of ${typeOf(v!)}`);
    },
  },
  index: {
    min: 2,
    max: 2,
    fn: ([v, k]) => {
      if (Array.isArray(v) && typeof k === 'number') return v[k] ?? null;
      if (v !== null && typeof v === 'object' && !Array.isArray(v) && typeof v !== 'function')
        return (v as Record<string, TemplateValue>)[str(k!)] ?? null;
      throw new TypeError(`can't index ${typeOf(v!)} with ${typeOf(k!)}`);
    },
  },
  print: { min: 0, max: Infinity, fn: (args) => args.map(str).join(' ') },
  println: { min: 0, max: Infinity, fn: (args) => args.map(str).join(' ') + '\n' },
};

const UNSUPPORTED = new Set(['if', 'else', 'end', 'range', 'with', 'define', 'template', 'block', 'break', 'continue']);

function num(v: TemplateValue): number {
  if (typeof v !== 'number') throw new TypeError(`expected a number, got ${typeOf(v)}`);
  return v;
}

function typeOf(v: TemplateValue): string {
  if (v === null) return 'nil';
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'function') return 'method';
  return typeof v === 'object' ? 'map' : typeof v;
}

/** Go's %v: nil prints `<no value>`, lists `[a b]`, maps `map[k:v]` with sorted keys. */
export function str(v: TemplateValue): string {
  if (v === null) return '<no value>';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v === 'function') return '<method>';
  if (Array.isArray(v)) return `[${v.map(str).join(' ')}]`;
  return `map[${Object.keys(v)
    .sort()
    .map((k) => `${k}:${str(v[k]!)}`)
    .join(' ')}]`;
}

/** Go's json.Marshal: methods are left out, and <, > and & are escaped as it does. */
export function goJson(v: TemplateValue): string {
  const text = JSON.stringify(v, (_k, x: unknown) => (typeof x === 'function' ? undefined : x)) ?? 'null';
  return text.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

// ── parsing ──────────────────────────────────────────────────────────────────

export function compileTemplate(src: string): CompiledTemplate {
  const nodes: Node[] = [];
  let i = 0;
  let trimNext = false;
  while (i < src.length) {
    const open = src.indexOf('{{', i);
    let text = src.slice(i, open < 0 ? src.length : open);
    if (trimNext) text = text.replace(/^\s+/, '');
    trimNext = false;
    if (open < 0) {
      if (text) nodes.push({ kind: 'text', text });
      break;
    }
    let start = open + 2;
    if (src.startsWith('- ', start) || (src[start] === '-' && /\s/.test(src[start + 1] ?? ''))) {
      text = text.replace(/\s+$/, '');
      start += 1;
    }
    if (text) nodes.push({ kind: 'text', text });
    const close = findClose(src, start);
    if (close < 0) fail(src, open, 'unclosed action');
    let end = close;
    if (src[close - 1] === '-' && /\s/.test(src[close - 2] ?? '')) {
      end = close - 1;
      trimNext = true;
    }
    const body = src.slice(start, end);
    if (/^\s*\/\*[\s\S]*\*\/\s*$/.test(body)) {
      i = close + 2;
      continue; // a comment
    }
    const p = new Parser(src, start, end);
    const pipe = p.pipeline(')' as const, true);
    nodes.push({ kind: 'action', pipe, pos: open, text: body.trim() });
    i = close + 2;
  }
  return {
    execute(dot, typeName = 'row') {
      let out = '';
      for (const n of nodes) {
        if (n.kind === 'text') out += n.text;
        else out += str(evalPipe(src, n.pipe, dot, typeName, n.text));
      }
      return out;
    },
  };
}

/** The `}}` that closes an action, skipping string literals. */
function findClose(src: string, from: number): number {
  for (let i = from; i < src.length; i++) {
    const c = src[i];
    if (c === '"') {
      for (i++; i < src.length && src[i] !== '"'; i++) if (src[i] === '\\') i++;
    } else if (c === '`') {
      i = src.indexOf('`', i + 1);
      if (i < 0) return -1;
    } else if (c === '}' && src[i + 1] === '}') return i;
  }
  return -1;
}

class Parser {
  constructor(
    private readonly src: string,
    private pos: number,
    private readonly end: number,
  ) {}

  private skipSpace(): void {
    while (this.pos < this.end && /\s/.test(this.src[this.pos]!)) this.pos++;
  }

  private atEnd(): boolean {
    this.skipSpace();
    return this.pos >= this.end;
  }

  pipeline(closer: ')', top: boolean): Pipeline {
    const pipe: Pipeline = [];
    for (;;) {
      const cmd: Command = [];
      for (;;) {
        if (this.atEnd()) break;
        const c = this.src[this.pos]!;
        if (c === '|' || (!top && c === closer)) break;
        cmd.push(this.operand());
      }
      if (cmd.length === 0)
        fail(
          this.src,
          this.pos,
          top && pipe.length === 0 ? 'missing value for command' : 'missing command in pipeline',
        );
      pipe.push(cmd);
      if (this.atEnd()) {
        if (!top) fail(this.src, this.pos, 'unclosed left paren');
        return pipe;
      }
      if (this.src[this.pos] === '|') {
        this.pos++;
        continue;
      }
      return pipe; // the closer, consumed by the caller
    }
  }

  private operand(): Operand {
    const s = this.src;
    const at = this.pos;
    const c = s[at]!;
    if (c === '(') {
      this.pos++;
      const pipe = this.pipeline(')', false);
      if (s[this.pos] !== ')') fail(s, this.pos, 'unclosed left paren');
      this.pos++;
      return this.chainAfter({ kind: 'paren', pipe, pos: at });
    }
    if (c === '"') {
      let j = at + 1;
      let out = '';
      for (; j < this.end && s[j] !== '"'; j++) {
        if (s[j] === '\\') {
          const e = s[++j];
          out += e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : (e ?? '');
        } else out += s[j];
      }
      if (j >= this.end) fail(s, at, 'unterminated quoted string');
      this.pos = j + 1;
      return { kind: 'literal', value: out, pos: at };
    }
    if (c === '`') {
      const j = s.indexOf('`', at + 1);
      if (j < 0 || j >= this.end) fail(s, at, 'unterminated raw quoted string');
      this.pos = j + 1;
      return { kind: 'literal', value: s.slice(at + 1, j), pos: at };
    }
    if (c === '.') {
      const m = /^\.(?:[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)?/.exec(s.slice(at, this.end))!;
      this.pos = at + m[0].length;
      if (m[0] === '.') return { kind: 'dot', pos: at };
      return { kind: 'field', chain: m[0].slice(1).split('.'), pos: at, text: m[0] };
    }
    const num = /^-?\d+(?:\.\d+)?/.exec(s.slice(at, this.end));
    if (num) {
      this.pos = at + num[0].length;
      return { kind: 'literal', value: Number(num[0]), pos: at };
    }
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(s.slice(at, this.end));
    if (id) {
      this.pos = at + id[0].length;
      const name = id[0];
      if (name === 'true' || name === 'false') return { kind: 'literal', value: name === 'true', pos: at };
      if (name === 'nil') return { kind: 'literal', value: null, pos: at };
      if (UNSUPPORTED.has(name))
        fail(s, at, `"${name}" is not supported by berth's --format (use join or json for lists)`);
      if (!(name in FUNCS)) fail(s, at, `function "${name}" not defined`);
      return { kind: 'ident', name, pos: at };
    }
    if (c === '$') fail(s, at, "variables are not supported by berth's --format");
    return fail(s, at, `unexpected "${c}" in operand`);
  }

  /** `(pipeline).Field` */
  private chainAfter(op: Extract<Operand, { kind: 'paren' }>): Operand {
    const m = /^(?:\.[A-Za-z_][A-Za-z0-9_]*)+/.exec(this.src.slice(this.pos, this.end));
    if (!m) return op;
    this.pos += m[0].length;
    return { ...op, chain: m[0].slice(1).split('.') };
  }
}

// ── evaluation ───────────────────────────────────────────────────────────────

function execError(src: string, pos: number, text: string, msg: string): never {
  const line = src.slice(0, pos).split('\n').length;
  const col = pos - (src.lastIndexOf('\n', pos - 1) + 1); // Go: a 0-based byte offset in the line
  throw new BerthError('TEMPLATE_INVALID', `template: :${line}:${col}: executing "" at <${text}>: ${msg}`);
}

function field(src: string, op: Operand, base: TemplateValue, chain: string[], typeName: string): TemplateValue {
  let v = base;
  let tn = typeName;
  for (const name of chain) {
    if (v === null || typeof v !== 'object' || Array.isArray(v) || !Object.prototype.hasOwnProperty.call(v, name)) {
      const text = op.kind === 'field' ? op.text : `.${chain.join('.')}`;
      execError(src, op.pos, text, `can't evaluate field ${name} in type ${v === null ? 'nil' : tn}`);
    }
    v = (v as Record<string, TemplateValue>)[name]!;
    tn = typeOf(v);
  }
  return v;
}

function evalOperand(
  src: string,
  op: Operand,
  dot: TemplateValue,
  typeName: string,
  actionText: string,
): TemplateValue {
  switch (op.kind) {
    case 'dot':
      return dot;
    case 'literal':
      return op.value;
    case 'field': {
      const v = field(src, op, dot, op.chain, typeName);
      return typeof v === 'function' ? callMethod(src, op, v, [], actionText) : v;
    }
    case 'paren': {
      const v = evalPipe(src, op.pipe, dot, typeName, actionText);
      return op.chain ? field(src, op, v, op.chain, typeOf(v)) : v;
    }
    case 'ident':
      return callFunc(src, op, [], actionText);
  }
}

function callMethod(
  src: string,
  op: Operand,
  fn: TemplateFunction,
  args: TemplateValue[],
  text: string,
): TemplateValue {
  if (args.length !== fn.length)
    execError(
      src,
      op.pos,
      text,
      `wrong number of args for ${op.kind === 'field' ? op.text : 'method'}: want ${fn.length} got ${args.length}`,
    );
  try {
    return fn(...args);
  } catch (err) {
    return execError(src, op.pos, text, (err as Error).message);
  }
}

function callFunc(
  src: string,
  op: Extract<Operand, { kind: 'ident' }>,
  args: TemplateValue[],
  text: string,
): TemplateValue {
  const f = FUNCS[op.name]!;
  if (args.length < f.min || args.length > f.max) {
    const want = f.min === f.max ? String(f.min) : `${f.min}..`;
    execError(src, op.pos, text, `wrong number of args for ${op.name}: want ${want} got ${args.length}`);
  }
  try {
    return f.fn(args);
  } catch (err) {
    return execError(src, op.pos, text, `error calling ${op.name}: ${(err as Error).message}`);
  }
}

function evalPipe(src: string, pipe: Pipeline, dot: TemplateValue, typeName: string, text: string): TemplateValue {
  let prev: TemplateValue | undefined;
  for (const cmd of pipe) {
    const [head, ...rest] = cmd as [Operand, ...Operand[]];
    const args = rest.map((o) => evalOperand(src, o, dot, typeName, text));
    if (prev !== undefined) args.push(prev);
    if (head.kind === 'ident') prev = callFunc(src, head, args, text);
    else if (head.kind === 'field') {
      const v = field(src, head, dot, head.chain, typeName);
      if (typeof v === 'function') prev = callMethod(src, head, v, args, text);
      else if (args.length) execError(src, head.pos, head.text, `${head.text} is not a method but has arguments`);
      else prev = v;
    } else {
      if (args.length)
        execError(
          src,
          head.pos,
          text,
          `can't give argument to non-function ${str(evalOperand(src, head, dot, typeName, text))}`,
        );
      prev = evalOperand(src, head, dot, typeName, text);
    }
  }
  return prev ?? null;
}
