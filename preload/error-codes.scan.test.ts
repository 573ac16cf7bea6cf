/**
 * Every code the code base throws is declared in the contract. The compiler
 * already refuses `new BerthError('UNDECLARED', …)`; this scan also catches
 * what the types let through: codes built from strings (`${prefix}_OFFSET`),
 * and `{ code, message }` error shapes written as plain objects (envelopes,
 * Object.assign onto a caught error). It reads the sources with the
 * TypeScript parser, so comments and messages that mention a code do not count.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from './errors';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SCANNED = ['main', 'preload', 'renderer/src', 'bin', 'scripts', 'e2e', 'bench'];

/**
 * Codes of `{ code, message }` objects that are not Berth error shapes, with
 * where they come from. They count only as object shapes: `new BerthError`
 * with one of them still fails.
 */
const OTHER_SHAPE_CODES: Record<string, string> = {
  UNKNOWN: "a registry's error entry without a code (registry errors.ts parseRegistryErrors)",
  DENIED: "the fake registry's answers, in the distribution spec's own error format (main/testing/registry.ts)",
  custom: 'zod issues (seccomp profile-schema.ts)',
};

const declared = new Set<string>(ERROR_CODES);

interface Use {
  file: string;
  line: number;
  /** The code, or a template such as `${…}_OFFSET`. */
  code: string;
  declared: boolean;
}

function sources(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' || e.name === 'build' ? [] : sources(p);
    return /\.tsx?$/.test(e.name) && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** Literal codes an expression can produce; templates become a pattern over the declared codes. */
function codesOf(e: ts.Expression, sf: ts.SourceFile, shape = false): Array<{ code: string; declared: boolean }> {
  if (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isSatisfiesExpression(e))
    return codesOf(e.expression, sf, shape);
  if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e))
    return [{ code: e.text, declared: declared.has(e.text) || (shape && e.text in OTHER_SHAPE_CODES) }];
  if (ts.isConditionalExpression(e)) return [...codesOf(e.whenTrue, sf, shape), ...codesOf(e.whenFalse, sf, shape)];
  if (
    ts.isBinaryExpression(e) &&
    (e.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken || e.operatorToken.kind === ts.SyntaxKind.BarBarToken)
  )
    return [...codesOf(e.left, sf, shape), ...codesOf(e.right, sf, shape)];
  if (ts.isTemplateExpression(e)) {
    const parts = [e.head.text, ...e.templateSpans.map((s) => s.literal.text)];
    const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const re = new RegExp(`^${parts.map(escape).join('[A-Z0-9_]+')}$`);
    return [{ code: parts.join('${…}'), declared: ERROR_CODES.some((c) => re.test(c)) }];
  }
  return []; // an identifier or a call: typed, so the compiler checks it
}

function scanSource(file: string, text: string): Use[] {
  const sf = ts.createSourceFile(
    file,
    text,
    ts.ScriptTarget.Latest,
    true,
    file.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS,
  );
  const uses: Use[] = [];
  const add = (e: ts.Expression, shape = false) => {
    const line = sf.getLineAndCharacterOfPosition(e.getStart(sf)).line + 1;
    for (const c of codesOf(e, sf, shape)) uses.push({ file, line, ...c });
  };
  const visit = (n: ts.Node): void => {
    if ((ts.isNewExpression(n) || ts.isCallExpression(n)) && n.arguments) {
      const callee = n.expression.getText(sf);
      if (ts.isNewExpression(n) && callee === 'BerthError' && n.arguments[0]) add(n.arguments[0]);
      if (ts.isCallExpression(n) && callee === 'isBerthError' && n.arguments[1]) add(n.arguments[1]);
    }
    if (ts.isObjectLiteralExpression(n)) {
      const props = new Map(
        n.properties.flatMap((p) => (p.name && ts.isIdentifier(p.name) ? [[p.name.text, p] as const] : [])),
      );
      const code = props.get('code');
      if (code && props.has('message') && ts.isPropertyAssignment(code)) add(code.initializer, true);
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return uses;
}

describe('error codes in the code base', () => {
  const uses = SCANNED.flatMap((d) => sources(path.join(ROOT, d))).flatMap((f) =>
    scanSource(path.relative(ROOT, f), fs.readFileSync(f, 'utf8')),
  );

  it('are all declared in the contract (preload/schemas/*ErrorCodes)', () => {
    const undeclared = uses.filter((u) => !u.declared).map((u) => `${u.file}:${u.line} ${u.code}`);
    expect(undeclared).toEqual([]);
    // The scan saw the code base: hundreds of throw sites and a hundred codes.
    expect(uses.length).toBeGreaterThan(200);
    expect(new Set(uses.map((u) => u.code)).size).toBeGreaterThan(90);
  });

  it('catches an undeclared code however it is written', () => {
    const found = scanSource(
      'x.ts',
      [
        "throw new BerthError('NO_SUCH_CODE', 'm');",
        "throw new BerthError(`${prefix}_NO_SUCH_SUFFIX`, 'm');",
        "throw new BerthError(ok ? 'TIMEOUT' : 'NOT_DECLARED_EITHER', 'm');",
        "return { ok: false, error: { code: 'SHAPE_CODE_UNDECLARED', message: 'm' } };",
        "throw Object.assign(err, { code: 'ASSIGNED_UNDECLARED', message: 'm' });",
        "if (isBerthError(err, 'CHECKED_UNDECLARED')) return;",
        "throw new BerthError(`${prefix}_OFFSET`, 'm');",
        "const notAnError = { code: 'NOT_A_SHAPE' };",
        "throw new BerthError('UNKNOWN', 'm');",
      ].join('\n'),
    );
    expect(found.filter((u) => !u.declared).map((u) => u.code)).toEqual([
      'NO_SUCH_CODE',
      '${…}_NO_SUCH_SUFFIX',
      'NOT_DECLARED_EITHER',
      'SHAPE_CODE_UNDECLARED',
      'ASSIGNED_UNDECLARED',
      'CHECKED_UNDECLARED',
      'UNKNOWN',
    ]);
    expect(found.filter((u) => u.declared).map((u) => u.code)).toEqual(['TIMEOUT', '${…}_OFFSET']);
  });
});
