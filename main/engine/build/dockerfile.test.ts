import { describe, expect, it } from 'vitest';
import { parseDockerfile } from './dockerfile';
import { processWord, processWords, rawWords } from './shell-words';
import { isBerthError } from '../../../preload/errors';

const vars = (o: Record<string, string>): Map<string, string> => new Map(Object.entries(o));

describe('parseDockerfile', () => {
  it('joins continuation lines, dropping comment and blank lines inside them', () => {
    const df = parseDockerfile('FROM busybox\nRUN echo a \\\n  # a comment\n\n  && echo b\nCMD x\n');
    expect(df.instructions.map((i) => [i.keyword, i.line, i.rest])).toEqual([
      ['FROM', 1, 'busybox'],
      ['RUN', 2, 'echo a   && echo b'],
      ['CMD', 6, 'x'],
    ]);
  });

  it('honours the escape directive (backtick), which only counts at the top', () => {
    const df = parseDockerfile('# escape=`\nFROM busybox\nRUN echo C:\\dir `\n  done\n');
    expect(df.escape).toBe('`');
    expect(df.instructions[1]?.rest).toBe('echo C:\\dir   done');
    const late = parseDockerfile('FROM busybox\n# escape=`\nRUN a `\n');
    expect(late.escape).toBe('\\');
    expect(late.instructions[1]?.rest).toBe('a `');
    expect(() => parseDockerfile('# escape=x\nFROM a')).toThrow(/invalid escape token/);
  });

  it('reads JSON-array forms with their spaces, and falls back to shell form for bad JSON', () => {
    const df = parseDockerfile('FROM a\nCMD ["sh", "-c", "echo a b"]\nCOPY ["a b.txt", "/c d/"]\nRUN [not json\n');
    expect(df.instructions[1]?.json).toEqual(['sh', '-c', 'echo a b']);
    expect(df.instructions[2]?.json).toEqual(['a b.txt', '/c d/']);
    expect(df.instructions[3]?.json).toBeNull();
    expect(df.instructions[3]?.rest).toBe('[not json');
  });

  it('splits leading flags and is case-insensitive about keywords', () => {
    const df = parseDockerfile('from busybox as base\ncopy --from=base --chown=1:2 --chmod=600 a /b\n');
    const c = df.instructions[1];
    expect(c?.keyword).toBe('COPY');
    expect(Object.fromEntries(c?.flags ?? [])).toEqual({ from: ['base'], chown: ['1:2'], chmod: ['600'] });
    expect(c?.rest).toBe('a /b');
  });

  it('names the line of an unknown instruction', () => {
    try {
      parseDockerfile('FROM a\n\nFOO bar\n');
      expect.unreachable();
    } catch (err) {
      expect(isBerthError(err, 'BUILD_UNKNOWN_INSTRUCTION')).toBe(true);
      expect((err as Error).message).toBe('line 3: unknown instruction: FOO');
    }
  });
});

describe('shell words', () => {
  it('substitutes $VAR, ${VAR} and the :- - :+ + modifiers', () => {
    const v = vars({ A: 'x', E: '' });
    expect(processWord('$A-${A}/${B:-def}/${E:-empty}/${E-unset}/${A:+alt}/${B+no}', v)).toBe('x-x/def/empty//alt/');
    expect(processWord('${B:-${A}y}', v)).toBe('xy');
    expect(() => processWord('${B:?must be set}', v)).toThrow(/B: must be set/);
  });

  it('removes quotes; single quotes and escapes keep $ literal', () => {
    const v = vars({ A: 'x' });
    expect(processWord(`"$A b" '$A' \\$A`, v)).toBe('x b $A $A');
    expect(processWord('"a\\"b"', v)).toBe('a"b');
    expect(processWord('a`$A', v, '`')).toBe('a$A');
  });

  it('splits words at unquoted whitespace', () => {
    expect(processWords('a "b c" d\\ e ""', vars({}))).toEqual(['a', 'b c', 'd e', '']);
    expect(rawWords('A=1 B="two words" C=3\\ 4')).toEqual(['A=1', 'B="two words"', 'C=3\\ 4']);
  });
});
