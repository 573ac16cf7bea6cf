import { describe, expect, it } from 'vitest';
import { isBerthError } from '../../../preload/errors';
import { compileTemplate, goJson, type TemplateValue } from './template';

const row: Record<string, TemplateValue> = {
  ID: 'a1b2c3d4e5f6',
  Names: 'web',
  Status: 'Up 3 minutes',
  Labels: 'com.example=x,tier=front',
  Label: (k: TemplateValue) => ({ tier: 'front', 'com.example': 'x' })[String(k)] ?? '',
  Mounts: ['/data', '/logs'],
  Map: { b: '2', a: '1' },
  Count: 3,
  Empty: null,
};
const run = (t: string, dot: TemplateValue = row): string => compileTemplate(t).execute(dot, 'container');

function errorOf(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (err) {
    if (isBerthError(err)) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error('no error');
}

describe('the --format template evaluator (docker examples)', () => {
  it('prints fields and literal text', () => {
    expect(run('{{.ID}}: {{.Names}}')).toBe('a1b2c3d4e5f6: web');
    expect(run('{{.ID}}\t{{.Status}}')).toBe('a1b2c3d4e5f6\tUp 3 minutes');
    expect(run('no actions')).toBe('no actions');
  });

  it('calls methods with arguments: .Label "key"', () => {
    expect(run('{{.Label "tier"}}')).toBe('front');
    expect(run('{{.Label "none"}}')).toBe('');
  });

  it('json of the dot and of a field, Go-escaped, methods left out', () => {
    expect(JSON.parse(run('{{json .}}'))).toEqual({
      ID: 'a1b2c3d4e5f6',
      Names: 'web',
      Status: 'Up 3 minutes',
      Labels: 'com.example=x,tier=front',
      Mounts: ['/data', '/logs'],
      Map: { b: '2', a: '1' },
      Count: 3,
      Empty: null,
    });
    expect(run('{{json .Mounts}}')).toBe('["/data","/logs"]');
    expect(goJson('<a&b>')).toBe('"\\u003ca\\u0026b\\u003e"');
  });

  it("docker's functions: upper, lower, title, join, split, truncate, pad, len, index, println", () => {
    expect(run('{{upper .Names}}')).toBe('WEB');
    expect(run('{{lower "ABC"}}')).toBe('abc');
    expect(run('{{title "hello world"}}')).toBe('Hello World');
    expect(run('{{join .Mounts ", "}}')).toBe('/data, /logs');
    expect(run('{{join (split .Labels ",") " | "}}')).toBe('com.example=x | tier=front');
    expect(run('{{truncate .ID 5}}')).toBe('a1b2c');
    expect(run('{{pad .Names 1 2}}')).toBe(' web  ');
    expect(run('{{len .Mounts}}')).toBe('2');
    expect(run('{{index .Map "a"}}')).toBe('1');
    expect(run('{{println .Names}}')).toBe('web\n');
  });

  it('pipelines pass the value as the last argument', () => {
    expect(run('{{.Names | upper}}')).toBe('WEB');
    expect(run('{{.ID | lower}}')).toBe('a1b2c3d4e5f6');
    expect(run('{{.Mounts | json}}')).toBe('["/data","/logs"]');
  });

  it("prints values as Go's %v", () => {
    expect(run('{{.Mounts}}')).toBe('[/data /logs]');
    expect(run('{{.Map}}')).toBe('map[a:1 b:2]');
    expect(run('{{.Count}}')).toBe('3');
    expect(run('{{.Empty}}')).toBe('<no value>');
  });

  it('trims around {{- and -}} and skips comments', () => {
    expect(run('a  {{- .Names -}}  b')).toBe('awebb');
    expect(run('x{{/* a comment */}}y')).toBe('xy');
  });

  it('an unknown field fails with TEMPLATE_INVALID and says which', () => {
    const e = errorOf(() => run('{{.Nmes}}'));
    expect(e.code).toBe('TEMPLATE_INVALID');
    expect(e.message).toBe('template: :1:2: executing "" at <.Nmes>: can\'t evaluate field Nmes in type container');
  });

  it('bad templates fail with TEMPLATE_INVALID before anything runs', () => {
    for (const [t, msg] of [
      ['{{.Names', 'unclosed action'],
      ['{{nosuch .Names}}', 'function "nosuch" not defined'],
      ['{{if .Names}}x{{end}}', '"if" is not supported'],
      ['{{}}', 'missing value for command'],
      ['{{"abc}}', 'unclosed action'],
      ['{{.Names "abc}}x', 'unclosed action'],
      ['{{(.Names}}', 'unclosed left paren'],
      ['{{.Names | }}', 'missing command in pipeline'],
    ] as const) {
      const e = errorOf(() => compileTemplate(t));
      expect(e.code, t).toBe('TEMPLATE_INVALID');
      expect(e.message, t).toMatch(/^template: :1: /);
      expect(e.message, t).toContain(msg);
    }
  });

  it('wrong arguments fail at execution with the function named', () => {
    expect(errorOf(() => run('{{join .Names ","}}')).message).toContain('error calling join: expected a list');
    expect(errorOf(() => run('{{upper}}')).message).toContain('wrong number of args for upper: want 1 got 0');
    expect(errorOf(() => run('{{.Label}}')).message).toContain('wrong number of args for .Label: want 1 got 0');
    expect(errorOf(() => run('{{.Names "x"}}')).message).toContain('is not a method but has arguments');
  });
});
