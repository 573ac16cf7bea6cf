/**
 * Compose variable interpolation (the compose spec's "Interpolation"):
 * `$VAR`, `${VAR}`, `${VAR:-default}` (unset or empty), `${VAR-default}`
 * (unset), `${VAR:?err}` / `${VAR?err}` (fail), `${VAR:+alt}` / `${VAR+alt}`,
 * and `$$` for a literal `$`. Defaults may themselves hold `${…}`. Applied to
 * every string value of the parsed files (never to keys), as docker does.
 */
import { BerthError } from '../../../preload/errors';

export type Vars = Readonly<Record<string, string | undefined>>;

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

/** The index of the `}` closing a `${` whose body starts at `from`, counting nested braces. */
function closing(s: string, from: number): number {
  let depth = 1;
  for (let i = from; i < s.length; i++) {
    if (s[i] === '$' && s[i + 1] === '{') {
      depth++;
      i++;
    } else if (s[i] === '}' && --depth === 0) return i;
  }
  return -1;
}

export function interpolate(text: string, vars: Vars, where: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c !== '$') {
      out += c;
      continue;
    }
    const next = text[i + 1];
    if (next === '$') {
      out += '$';
      i++;
      continue;
    }
    if (next === '{') {
      const end = closing(text, i + 2);
      if (end < 0) throw new BerthError('COMPOSE_INTERPOLATION', `${where}: unterminated \${ in "${text}"`);
      out += expand(text.slice(i + 2, end), vars, where);
      i = end;
      continue;
    }
    const m = NAME.exec(text.slice(i + 1));
    if (!m) {
      // A lone `$` (before a digit, space, end): docker rejects it as invalid.
      throw new BerthError(
        'COMPOSE_INTERPOLATION',
        `${where}: invalid interpolation format "${text}" (write $$ for a literal $)`,
      );
    }
    out += vars[m[0]] ?? '';
    i += m[0].length;
  }
  return out;
}

function expand(body: string, vars: Vars, where: string): string {
  const m = NAME.exec(body);
  if (!m) throw new BerthError('COMPOSE_INTERPOLATION', `${where}: invalid variable name in \${${body}}`);
  const name = m[0];
  const rest = body.slice(name.length);
  const value = vars[name];
  if (rest === '') return value ?? '';
  const op = /^(:?[-?+])/.exec(rest);
  if (!op) throw new BerthError('COMPOSE_INTERPOLATION', `${where}: invalid interpolation \${${body}}`);
  const arg = () => interpolate(rest.slice(op[1]!.length), vars, where);
  const strict = op[1]!.startsWith(':');
  const missing = value === undefined || (strict && value === '');
  switch (op[1]!.slice(-1)) {
    case '-':
      return missing ? arg() : value!;
    case '+':
      return missing ? '' : arg();
    default: {
      if (!missing) return value!;
      const msg = arg();
      throw new BerthError(
        'COMPOSE_INTERPOLATION',
        `${where}: required variable ${name} is ${value === undefined ? 'missing' : 'empty'}${msg ? `: ${msg}` : ''}`,
      );
    }
  }
}

/** Interpolates every string in a parsed YAML tree; `path` names the place for errors. */
export function interpolateTree(node: unknown, vars: Vars, path: string): unknown {
  if (typeof node === 'string') return interpolate(node, vars, path);
  if (Array.isArray(node)) return node.map((v, i) => interpolateTree(v, vars, `${path}[${i}]`));
  if (node !== null && typeof node === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) out[k] = interpolateTree(v, vars, path ? `${path}.${k}` : k);
    return out;
  }
  return node;
}

/**
 * A `.env` / env_file: KEY=VALUE lines, `#` comments, optional `export `,
 * values in single quotes (literal), double quotes (\n \" \\ escapes) or bare
 * (an unquoted ` #` starts a comment). A bare `KEY` line takes no value
 * (undefined: env_file then takes it from the environment, docker's rule).
 */
export function parseEnvFile(text: string, where: string): Array<[string, string | undefined]> {
  const out: Array<[string, string | undefined]> = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, n) => {
    const line = raw.replace(/^\s*export\s+/, '').trim();
    if (line === '' || line.startsWith('#')) return;
    const eq = line.indexOf('=');
    const key = (eq < 0 ? line : line.slice(0, eq)).trim();
    if (!/^[^\s=]+$/.test(key))
      throw new BerthError('COMPOSE_INVALID', `${where}:${n + 1}: invalid variable name "${key}"`);
    if (eq < 0) {
      out.push([key, undefined]);
      return;
    }
    let v = line.slice(eq + 1).trim();
    if (v.startsWith("'") && v.lastIndexOf("'") > 0) v = v.slice(1, v.lastIndexOf("'"));
    else if (v.startsWith('"') && v.lastIndexOf('"') > 0)
      v = v.slice(1, v.lastIndexOf('"')).replace(/\\(["\\n])/g, (_, ch: string) => (ch === 'n' ? '\n' : ch));
    else v = v.replace(/\s+#.*$/, '');
    out.push([key, v]);
  });
  return out;
}
