/**
 * The Dockerfile grammar, by buildkit's rules (frontend/dockerfile/parser):
 * parser directives at the top (`# escape=`), comment lines dropped even
 * inside a continuation, a line ending in the escape character continues on
 * the next, `--flag=value` words before the arguments, and the exec (JSON
 * array) form where an instruction takes one. Arguments stay unexpanded here:
 * variables are substituted when the instruction runs (shell-words.ts), since
 * their values depend on the stage's ARG and ENV state at that point.
 *
 * Written here rather than taken from dockerfile-ast, which (0.7.1) keeps
 * comment lines inside continued RUN lines and drops spaces inside JSON
 * strings (`["a b"]` → `ab`): both change what a build does.
 */
import { BerthError } from '../../../preload/errors';
import { processWord, rawWords } from './shell-words';

export const INSTRUCTIONS = [
  'FROM',
  'RUN',
  'CMD',
  'LABEL',
  'MAINTAINER',
  'EXPOSE',
  'ENV',
  'ADD',
  'COPY',
  'ENTRYPOINT',
  'VOLUME',
  'USER',
  'WORKDIR',
  'ARG',
  'ONBUILD',
  'STOPSIGNAL',
  'HEALTHCHECK',
  'SHELL',
] as const;
export type Keyword = (typeof INSTRUCTIONS)[number];

/** Instructions whose arguments may be a JSON array of strings. */
const JSON_FORMS: ReadonlySet<Keyword> = new Set(['RUN', 'CMD', 'ENTRYPOINT', 'SHELL', 'COPY', 'ADD', 'VOLUME']);

/** Instructions that may carry heredocs (dockerfile:1.4). */
const HEREDOC_FORMS: ReadonlySet<Keyword> = new Set(['RUN', 'COPY', 'ADD']);

/** One `<<NAME` (`<<-NAME`, `<<"NAME"`) document of an instruction (buildkit's parser.Heredoc). */
export interface Heredoc {
  /** The delimiter word, quotes removed: also the file name a COPY heredoc gets. */
  name: string;
  /** The lines up to the delimiter line, each with its newline, as written (no tab stripping). */
  content: string;
  /** `<<-`: leading tabs are stripped from the content and the delimiter line. */
  chomp: boolean;
  /** An unquoted delimiter: the content's variables are substituted (COPY; RUN leaves it to the shell). */
  expand: boolean;
}

const HEREDOC_WORD = /^(\d*)<<(-?)([^<]*)$/;

/** A `<<WORD` word as a heredoc, or null (buildkit's parseHeredoc). */
export function parseHeredocWord(word: string, escape = '\\'): Omit<Heredoc, 'content'> | null {
  const m = HEREDOC_WORD.exec(word);
  if (!m || m[3] === '') return null;
  const raw = m[3] as string;
  if (rawWords(raw, escape).length !== 1) return null;
  const name = processWord(raw, new Map(), escape);
  if (name === '') return null;
  // Quotes anywhere in the delimiter turn expansion off, as in the shell.
  return { name, chomp: m[2] === '-', expand: !/["']/.test(raw) };
}

/** A heredoc's content with leading tabs stripped from each line (`<<-`). */
export function chompHeredoc(content: string): string {
  return content.replace(/^\t+/gm, '');
}

export interface Instruction {
  keyword: Keyword;
  /** 1-based line where the instruction starts. */
  line: number;
  /** `--name=value` flags (a bare `--name` is "true"). */
  flags: Map<string, string[]>;
  /** The arguments after the flags, joined continuation lines, unexpanded. */
  rest: string;
  /** The exec form's strings when the arguments are a JSON array. */
  json: string[] | null;
  /** The original text, for history entries and errors. */
  source: string;
  /** `<<EOF` documents, in the order their words appear (RUN, COPY, ADD in shell form). */
  heredocs: Heredoc[];
}

export interface Dockerfile {
  escape: string;
  instructions: Instruction[];
}

const DIRECTIVE = /^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$/;

function syntax(
  line: number,
  msg: string,
  code: 'BUILD_SYNTAX' | 'BUILD_UNKNOWN_INSTRUCTION' = 'BUILD_SYNTAX',
): BerthError {
  return new BerthError(code, `line ${line}: ${msg}`, { line });
}

function parseJsonArray(s: string): string[] | null {
  if (!s.startsWith('[')) return null;
  try {
    const v: unknown = JSON.parse(s);
    return Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : null;
  } catch {
    return null;
  }
}

/** Splits the leading `--name=value` words off (buildkit's extractBuilderFlags). */
function splitFlags(s: string): { flags: Map<string, string[]>; rest: string } {
  const flags = new Map<string, string[]>();
  let rest = s;
  for (;;) {
    const m = /^--([A-Za-z][A-Za-z0-9-]*)(?:=(\S*))?(?:\s+|$)/.exec(rest);
    if (!m) break;
    const name = (m[1] as string).toLowerCase();
    flags.set(name, [...(flags.get(name) ?? []), m[2] ?? 'true']);
    rest = rest.slice(m[0].length);
  }
  return { flags, rest };
}

export function parseDockerfile(text: string): Dockerfile {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  let escape = '\\';
  let i = 0;
  // Directives: only at the very top, before any other line.
  for (; i < lines.length; i++) {
    const m = DIRECTIVE.exec(lines[i] as string);
    if (!m) break;
    const name = (m[1] as string).toLowerCase();
    if (name === 'escape') {
      if (m[2] !== '\\' && m[2] !== '`') throw syntax(i + 1, `invalid escape token '${m[2]}': it must be \\ or \``);
      escape = m[2];
    }
  }
  const contRe = new RegExp(`${escape === '\\' ? '\\\\' : '`'}[ \\t]*$`);
  const isComment = (l: string): boolean => /^\s*#/.test(l);
  const instructions: Instruction[] = [];
  for (; i < lines.length; i++) {
    const first = lines[i] as string;
    if (isComment(first) || first.trim() === '') continue;
    const start = i + 1;
    let joined = first.replace(/^\s+/, '');
    const source = [first];
    let continued = contRe.test(joined);
    if (continued) joined = joined.replace(contRe, '');
    while (continued && i + 1 < lines.length) {
      const next = lines[++i] as string;
      source.push(next);
      if (isComment(next)) continue;
      if (next.trim() === '') continue;
      continued = contRe.test(next);
      joined += continued ? next.replace(contRe, '') : next;
    }
    joined = joined.trim();
    const m = /^(\S+)\s*([\s\S]*)$/.exec(joined);
    if (!m) continue;
    const word = (m[1] as string).toUpperCase();
    if (!(INSTRUCTIONS as readonly string[]).includes(word)) {
      throw syntax(start, `unknown instruction: ${m[1]}`, 'BUILD_UNKNOWN_INSTRUCTION');
    }
    const keyword = word as Keyword;
    const { flags, rest } = splitFlags(m[2] as string);
    const json = JSON_FORMS.has(keyword) ? parseJsonArray(rest.trim()) : null;
    const heredocs: Heredoc[] = [];
    if (HEREDOC_FORMS.has(keyword) && json === null && rest.includes('<<')) {
      for (const word of rawWords(rest, escape)) {
        const h = parseHeredocWord(word, escape);
        if (!h) continue;
        // The document: the following lines up to the delimiter alone on a line.
        let content = '';
        let ended = false;
        while (i + 1 < lines.length) {
          const l = lines[++i] as string;
          if ((h.chomp ? l.replace(/^\t+/, '') : l) === h.name) {
            ended = true;
            break;
          }
          content += `${l}\n`;
        }
        if (!ended)
          throw syntax(start, `unterminated heredoc <<${h.chomp ? '-' : ''}${h.name}: no line ${h.name} ends it`);
        heredocs.push({ ...h, content });
      }
    }
    instructions.push({ keyword, line: start, flags, rest: rest.trim(), json, source: joined, heredocs });
  }
  return { escape, instructions };
}
