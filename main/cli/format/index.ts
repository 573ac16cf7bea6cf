/**
 * `--format` for every listing command, as docker has it:
 *
 *   (none) / `table`      the command's default table
 *   `table TEMPLATE`      a header row, then one row per item, aligned by tabs
 *   `json`                one JSON object per line (`{{json .}}`), docker's field names
 *   TEMPLATE              one line per item: `{{.Names}}`, `{{.ID}}\t{{.Status}}`, `{{json .Labels}}`
 *
 * `\t` and `\n` written as two characters are turned into a tab and a newline
 * (docker does the same, so `'{{.ID}}\t{{.Names}}'` works from a shell).
 * `-q` prints the listing's `quietField` alone.
 *
 * How a command plugs in (volume ls, network ls, …): declare a `Listing` for
 * its row type — one entry per docker field name with the table header and a
 * function from the row to the value — and make one call:
 *
 *   const volumeListing: Listing<VolumeT> = {
 *     typeName: 'volume',
 *     fields: {
 *       Driver: { header: 'DRIVER', value: (v) => v.driver },
 *       Name: { header: 'VOLUME NAME', value: (v) => v.name },
 *       Labels: labelsField((v) => v.labels),   // and Label "key" via labelField
 *     },
 *     defaultTable: 'table {{.Driver}}\t{{.Name}}',
 *     quietField: 'Name',
 *   };
 *   ctx.stdout.write(formatRows(volumeListing, rows, formatOptions(p)));
 *
 * `formatOptions` reads `--format`, `-q` (`quiet`) and `--no-trunc` from the
 * parsed flags (`FORMAT_FLAGS` declares them). Values are what docker prints
 * (strings, mostly); a field whose value is a function is a method taking
 * arguments (`{{.Label "com.example"}}`) and is left out of `{{json .}}`.
 */
import { BerthError } from '../../../preload/errors';
import type { FlagSpec, Parsed } from '../args';
import { DOCKER_TABS, tabwrite } from './tabwriter';
import { compileTemplate, type CompiledTemplate, type TemplateValue } from './template';

export { compileTemplate, goJson, type TemplateValue } from './template';
export { tabwrite } from './tabwriter';

export interface RowContext {
  /** --no-trunc: full IDs and commands. */
  noTrunc: boolean;
  /** ms since the epoch, for "3 minutes ago". */
  now: number;
}

export interface FieldSpec<R> {
  /** The column's header in a `table` format (docker's: "CONTAINER ID", "NAMES"). */
  header: string;
  value(row: R, c: RowContext): TemplateValue;
}

export interface Listing<R> {
  /** For error messages: "can't evaluate field X in type container". */
  typeName: string;
  /** Docker's field names → header and value. */
  fields: Record<string, FieldSpec<R>>;
  /** The format used when none is given (starts with `table `). */
  defaultTable: string;
  /** What `-q` prints. */
  quietField?: string;
}

export interface FormatOptions {
  format?: string | undefined;
  quiet?: boolean;
  noTrunc?: boolean;
  now?: number;
}

/** The flags every listing takes; spread into a command's FlagSpec. */
export const FORMAT_FLAGS: FlagSpec = {
  format: { value: true },
  quiet: { value: false, short: 'q' },
  'no-trunc': { value: false },
};

export function formatOptions(p: Parsed): FormatOptions {
  return {
    format: p.flags.get('format')?.at(-1),
    quiet: p.flags.has('quiet'),
    noTrunc: p.flags.has('no-trunc'),
  };
}

/** The row as a template sees it: every field by name, sorted (Go's json.Marshal of a map sorts keys). */
export function rowView<R>(listing: Listing<R>, row: R, c: RowContext): Record<string, TemplateValue> {
  const out: Record<string, TemplateValue> = {};
  for (const name of Object.keys(listing.fields).sort()) out[name] = listing.fields[name]!.value(row, c);
  return out;
}

/** The header row's view: each field answers with its header (docker's header context). */
function headerView<R>(listing: Listing<R>): Record<string, TemplateValue> {
  const out: Record<string, TemplateValue> = {};
  for (const [name, f] of Object.entries(listing.fields))
    out[name] = isMethodField(f) ? (_arg: TemplateValue) => f.header : f.header;
  return out;
}

const METHOD = Symbol('method');
function isMethodField<R>(f: FieldSpec<R>): boolean {
  return (f as { [METHOD]?: boolean })[METHOD] === true;
}

/** A field that takes an argument, like docker's `.Label "key"`. */
export function methodField<R>(header: string, fn: (row: R, arg: string) => TemplateValue): FieldSpec<R> {
  const f: FieldSpec<R> & { [METHOD]: boolean } = {
    header,
    value: (row) => (key: TemplateValue) => fn(row, typeof key === 'string' ? key : String(key)),
    [METHOD]: true,
  };
  return f;
}

/** docker's `.Labels`: "k=v,k2=v2" (sorted, as a map iterates nowhere stably). */
export function labelsField<R>(get: (row: R) => Record<string, string>): FieldSpec<R> {
  return {
    header: 'LABELS',
    value: (row) =>
      Object.entries(get(row))
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, v]) => `${k}=${v}`)
        .join(','),
  };
}

/** docker's `.Label "key"`: one label's value, "" when absent. */
export function labelField<R>(get: (row: R) => Record<string, string>): FieldSpec<R> {
  return methodField('LABEL', (row, key) => get(row)[key] ?? '');
}

/** Docker turns a two-character `\t` / `\n` in a format into the real thing. */
function unescape(s: string): string {
  return s.replace(/\\t/g, '\t').replace(/\\n/g, '\n');
}

/** A template given on the command line (`\t` and `\n` as docker reads them). */
export function compileFormat(format: string): CompiledTemplate {
  return compileTemplate(unescape(format));
}

/** Renders rows per `--format` / `-q`; the text ends with a newline unless it is empty. */
export function formatRows<R>(listing: Listing<R>, rows: readonly R[], o: FormatOptions = {}): string {
  const c: RowContext = { noTrunc: o.noTrunc === true, now: o.now ?? Date.now() };
  let format = o.format ?? '';
  if (o.quiet) {
    if (!listing.quietField) throw new BerthError('USAGE', `-q is not available here`);
    format = `{{.${listing.quietField}}}`;
  }
  if (format === '' || format === 'table') format = listing.defaultTable;
  if (format === 'json') format = '{{json .}}';
  const isTable = format.startsWith('table');
  const body = unescape(isTable ? format.slice('table'.length) : format).trim();
  if (isTable && /^\S/.test(format.slice('table'.length))) {
    throw new BerthError('TEMPLATE_INVALID', `template: unknown format "${format}" (use table, json or a template)`);
  }
  const tmpl = compileTemplate(body);
  const lines: string[] = [];
  if (isTable) lines.push(tmpl.execute(headerView(listing), listing.typeName));
  for (const r of rows) lines.push(tmpl.execute(rowView(listing, r, c), listing.typeName));
  if (lines.length === 0) return '';
  const text = lines.join('\n');
  return (isTable ? tabwrite(text, DOCKER_TABS) : text) + '\n';
}

/** Checks a format before anything is fetched (a typo fails at once, as in docker). */
export function checkFormat<R>(listing: Listing<R>, o: FormatOptions): void {
  formatRows(listing, [], o);
}

// ── values as docker prints them ─────────────────────────────────────────────

/** Go's time.Time.String() in UTC: "2024-03-01 12:34:56 +0000 UTC". */
export function goTime(iso: string | null): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return `${d.toISOString().slice(0, 19).replace('T', ' ')} +0000 UTC`;
}

/** docker's stringutils.Ellipsis: at most `max` characters, the last one an ellipsis when cut. */
export function ellipsis(s: string, max: number): string {
  const chars = [...s];
  return chars.length > max ? chars.slice(0, max - 1).join('') + '…' : s;
}

/** docker's units.HumanDuration. */
export function humanDuration(ms: number): string {
  const s = Math.max(0, ms / 1000);
  if (s < 1) return 'Less than a second';
  if (s < 2) return '1 second';
  if (s < 60) return `${Math.floor(s)} seconds`;
  const m = s / 60;
  if (Math.floor(m) === 1) return 'About a minute';
  if (m < 60) return `${Math.floor(m)} minutes`;
  const h = Math.round(m / 60);
  if (h === 1) return 'About an hour';
  if (h < 48) return `${h} hours`;
  if (h < 24 * 7 * 2) return `${Math.floor(h / 24)} days`;
  if (h < 24 * 30 * 2) return `${Math.floor(h / 24 / 7)} weeks`;
  if (h < 24 * 365 * 2) return `${Math.floor(h / 24 / 30)} months`;
  return `${Math.floor(h / 24 / 365)} years`;
}
