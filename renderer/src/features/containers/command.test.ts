import { describe, expect, it } from 'vitest';
import { joinCommand, splitCommand } from './command';

describe('splitCommand', () => {
  it('splits on runs of whitespace', () => {
    expect(splitCommand('  sleep   300 ')).toEqual({ ok: true, args: ['sleep', '300'] });
    expect(splitCommand('')).toEqual({ ok: true, args: [] });
  });

  it('keeps double-quoted text together, with \\ escapes', () => {
    expect(splitCommand('sh -c "echo hello-from-berth; sleep 600"')).toEqual({
      ok: true,
      args: ['sh', '-c', 'echo hello-from-berth; sleep 600'],
    });
    expect(splitCommand('echo "a \\"b\\" \\$HOME \\n"')).toEqual({ ok: true, args: ['echo', 'a "b" $HOME \\n'] });
  });

  it('treats single quotes literally and joins adjacent parts into one word', () => {
    expect(splitCommand(`echo 'a "b" \\ c'`)).toEqual({ ok: true, args: ['echo', 'a "b" \\ c'] });
    expect(splitCommand(`a'b'"c"d`)).toEqual({ ok: true, args: ['abcd'] });
    expect(splitCommand(`echo '' ""`)).toEqual({ ok: true, args: ['echo', '', ''] });
  });

  it('handles bare backslashes', () => {
    expect(splitCommand('echo a\\ b')).toEqual({ ok: true, args: ['echo', 'a b'] });
  });

  it('reports unterminated quotes and trailing backslashes', () => {
    expect(splitCommand('echo "abc')).toEqual({ ok: false, error: 'unterminated " quote (opened at column 6)' });
    expect(splitCommand("echo 'abc")).toMatchObject({ ok: false });
    expect(splitCommand('echo \\')).toMatchObject({ ok: false });
  });
});

describe('joinCommand', () => {
  it('round-trips through splitCommand', () => {
    const argv = ['sh', '-c', "echo it's; sleep 1", '', 'plain'];
    const r = splitCommand(joinCommand(argv));
    expect(r).toEqual({ ok: true, args: argv });
  });
});
