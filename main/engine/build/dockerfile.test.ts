import { describe, expect, it } from 'vitest';
import { chompHeredoc, parseDockerfile, parseHeredocWord } from './dockerfile';
import { expandHeredoc, processWord, processWords, rawWords } from './shell-words';
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

describe('heredocs (Dockerfile reference, dockerfile:1.4)', () => {
  it('reads a RUN heredoc up to its delimiter, lines kept with their newlines', () => {
    const df = parseDockerfile(
      'FROM debian\nRUN <<EOT bash\n  set -ex\n  apt-get update\n  apt-get install -y vim\nEOT\nCMD x\n',
    );
    const run = df.instructions[1];
    expect(run?.rest).toBe('<<EOT bash');
    expect(run?.heredocs).toEqual([
      { name: 'EOT', content: '  set -ex\n  apt-get update\n  apt-get install -y vim\n', chomp: false, expand: true },
    ]);
    expect(df.instructions[2]).toMatchObject({ keyword: 'CMD', line: 7, rest: 'x' });
  });

  it("reads several heredocs of one line in order (the reference's two-file example)", () => {
    const df = parseDockerfile(
      'FROM alpine\nRUN <<FILE1 cat > file1 && <<FILE2 cat > file2\nI am\nfirst\nFILE1\nI am\nsecond\nFILE2\n',
    );
    expect(df.instructions[1]?.heredocs.map((h) => [h.name, h.content])).toEqual([
      ['FILE1', 'I am\nfirst\n'],
      ['FILE2', 'I am\nsecond\n'],
    ]);
  });

  it('<<- strips leading tabs from the delimiter line; quoted delimiters turn expansion off', () => {
    const df = parseDockerfile(
      'FROM a\nRUN <<-EOT\n\techo a\n\tEOT\nCOPY <<"EOF" /x\n$HOME\nEOF\nCOPY <<\'EOF\' /y\nz\nEOF\n',
    );
    expect(df.instructions[1]?.heredocs).toEqual([{ name: 'EOT', content: '\techo a\n', chomp: true, expand: true }]);
    expect(chompHeredoc('\techo a\n\t\tb\n')).toBe('echo a\nb\n');
    expect(df.instructions[2]?.heredocs[0]).toMatchObject({ name: 'EOF', expand: false, content: '$HOME\n' });
    expect(df.instructions[3]?.heredocs[0]).toMatchObject({ name: 'EOF', expand: false });
  });

  it("COPY <<EOF /path (the reference's example) and a heredoc word after a continuation", () => {
    const df = parseDockerfile(
      'FROM a\nCOPY <<EOF /usr/share/nginx/html/index.html\n(your index page goes here)\nEOF\nRUN echo \\\n <<EOF cat\nhi\nEOF\n',
    );
    expect(df.instructions[1]?.heredocs[0]?.content).toBe('(your index page goes here)\n');
    expect(df.instructions[2]?.heredocs[0]).toMatchObject({ name: 'EOF', content: 'hi\n' });
    expect(df.instructions[2]?.line).toBe(5);
  });

  it('a shebang heredoc keeps its first line; other instructions and the exec form take no heredocs', () => {
    const df = parseDockerfile(
      'FROM a\nRUN <<EOT\n#!/usr/bin/env python\nprint("hello world")\nEOT\nENV A=<<B\nRUN ["<<EOF"]\n',
    );
    expect(df.instructions[1]?.heredocs[0]?.content).toBe('#!/usr/bin/env python\nprint("hello world")\n');
    expect(df.instructions[2]?.heredocs).toEqual([]);
    expect(df.instructions[3]?.heredocs).toEqual([]);
  });

  it('an unterminated heredoc names the line that opened it', () => {
    let err: unknown;
    try {
      parseDockerfile('FROM a\n\nRUN <<EOF cat\nhello\n');
    } catch (e) {
      err = e;
    }
    expect(isBerthError(err, 'BUILD_SYNTAX')).toBe(true);
    expect((err as Error).message).toBe('line 3: unterminated heredoc <<EOF: no line EOF ends it');
  });

  it('tells heredoc words from other << uses (buildkit parseHeredoc)', () => {
    expect(parseHeredocWord('<<EOF')).toEqual({ name: 'EOF', chomp: false, expand: true });
    expect(parseHeredocWord('3<<-"E O"')).toEqual({ name: 'E O', chomp: true, expand: false });
    expect(parseHeredocWord('<<')).toBeNull();
    expect(parseHeredocWord('a<<EOF')).toBeNull();
    expect(parseHeredocWord('<<<EOF')).toBeNull();
  });

  it("expands a heredoc's variables keeping quotes and escaped dollars as written", () => {
    expect(expandHeredoc('say "$A" \'${B:-b}\' \\$C\n', vars({ A: 'x' }))).toBe('say "x" \'b\' \\$C\n');
  });
});
