/** A small docker-style flag parser: flags before or after positionals, `--` ends flags. */
import { BerthError } from '../../preload/errors';

export interface FlagSpec {
  /** Long name without dashes → takes a value? */
  [name: string]: { value: boolean; short?: string; repeat?: boolean };
}

export interface Parsed {
  flags: Map<string, string[]>;
  positionals: string[];
}

export function parseArgs(argv: string[], spec: FlagSpec, opts: { stopAtFirstPositional?: boolean } = {}): Parsed {
  const flags = new Map<string, string[]>();
  const positionals: string[] = [];
  const byShort = new Map(Object.entries(spec).flatMap(([k, v]) => (v.short ? [[v.short, k] as const] : [])));
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('-') && a !== '-' && !(opts.stopAtFirstPositional && positionals.length > 0)) {
      let name: string;
      let inline: string | undefined;
      if (a.startsWith('--')) {
        const eq = a.indexOf('=');
        name = eq > 0 ? a.slice(2, eq) : a.slice(2);
        inline = eq > 0 ? a.slice(eq + 1) : undefined;
      } else {
        const long = byShort.get(a.slice(1, 2));
        if (!long) throw new BerthError('USAGE', `unknown flag ${a}`);
        name = long;
        inline = a.length > 2 ? a.slice(2) : undefined;
      }
      const s = spec[name];
      if (!s) throw new BerthError('USAGE', `unknown flag --${name}`);
      let value = 'true';
      if (s.value) {
        const v = inline ?? argv[++i];
        if (v === undefined) throw new BerthError('USAGE', `--${name} needs a value`);
        value = v;
      } else if (inline !== undefined) value = inline; // --pull=never, --quiet=false
      flags.set(name, s.repeat ? [...(flags.get(name) ?? []), value] : [value]);
      continue;
    }
    positionals.push(a);
  }
  return { flags, positionals };
}

export function flag(p: Parsed, name: string): string | undefined {
  return p.flags.get(name)?.at(-1);
}
