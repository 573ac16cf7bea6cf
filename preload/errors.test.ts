import { describe, expect, it } from 'vitest';
import {
  BerthError,
  ERROR_CODES,
  ErrorCodes,
  errorCodeLists,
  isBerthError,
  isErrorCode,
  isErrorShape,
  toErrorShape,
} from './errors';

describe('the ErrorCode lists', () => {
  it('declare each code in exactly one feature list', () => {
    const owners = new Map<string, string[]>();
    for (const [feature, codes] of Object.entries(errorCodeLists)) {
      for (const code of codes) owners.set(code, [...(owners.get(code) ?? []), feature]);
    }
    const twice = [...owners].filter(([, features]) => features.length > 1);
    expect(twice).toEqual([]);
    expect(ERROR_CODES.length).toBe(owners.size);
  });

  it('hold only SCREAMING_SNAKE_CASE names', () => {
    expect(ERROR_CODES.filter((c) => !/^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$/.test(c))).toEqual([]);
  });

  it('name each constant after its value', () => {
    expect(Object.entries(ErrorCodes).filter(([k, v]) => k !== v)).toEqual([]);
    expect(Object.keys(ErrorCodes).length).toBe(ERROR_CODES.length);
    expect(ErrorCodes.CONTAINER_NOT_FOUND).toBe('CONTAINER_NOT_FOUND');
  });

  it('tell declared codes from others', () => {
    expect(isErrorCode('IMAGE_NOT_FOUND')).toBe(true);
    expect(isErrorCode('ENOENT')).toBe(true);
    expect(isErrorCode('ERR_STREAM_PREMATURE_CLOSE')).toBe(false);
    expect(isErrorCode(undefined)).toBe(false);
  });
});

describe('BerthError', () => {
  it('serialises to code, message and details, keeping the cause on this side', () => {
    const cause = new Error('root cause');
    const err = new BerthError('TAR_PATH_ESCAPE', 'a/../../b climbs above the root', { entry: 'a/../../b' }, { cause });
    expect(err.cause).toBe(cause);
    expect(JSON.parse(JSON.stringify(err))).toEqual({
      code: 'TAR_PATH_ESCAPE',
      message: 'a/../../b climbs above the root',
      details: { entry: 'a/../../b' },
    });
    expect(new BerthError('TIMEOUT', 'slow').toJSON()).toEqual({ code: 'TIMEOUT', message: 'slow' });
  });

  it('is told apart by code', () => {
    const err = new BerthError('REGISTRY_BODY_SHORT', 'ended early');
    expect(isBerthError(err)).toBe(true);
    expect(isBerthError(err, 'REGISTRY_BODY_SHORT')).toBe(true);
    expect(isBerthError(err, 'REGISTRY_PROTOCOL')).toBe(false);
    expect(isBerthError({ code: 'REGISTRY_BODY_SHORT', message: 'x' })).toBe(false);
  });

  it('round-trips through its shape', () => {
    const again = BerthError.from(toErrorShape(new BerthError('NAME_IN_USE', 'taken', { name: 'web' })));
    expect(again).toBeInstanceOf(BerthError);
    expect(again.toJSON()).toEqual({ code: 'NAME_IN_USE', message: 'taken', details: { name: 'web' } });
  });
});

describe('toErrorShape', () => {
  it('keeps the errno name of a system error as the code', () => {
    const sys = Object.assign(new Error("ENOENT: no such file or directory, open '/x'"), {
      code: 'ENOENT',
      syscall: 'open',
      path: '/x',
    });
    expect(toErrorShape(sys)).toEqual({ code: 'ENOENT', message: sys.message });
  });

  it('keeps a declared code of a plain shape, details included', () => {
    expect(toErrorShape({ code: 'UPLOAD_OFFSET', message: 'm', details: { offset: 1 } })).toEqual({
      code: 'UPLOAD_OFFSET',
      message: 'm',
      details: { offset: 1 },
    });
  });

  it('turns a code declared nowhere into INTERNAL, keeping it in details.code', () => {
    const foreign = 'ERR_STREAM_PREMATURE_CLOSE'; // Node's own, not ours
    const node = Object.assign(new Error('Premature close'), { code: foreign });
    const shape = toErrorShape(node);
    expect(shape).toEqual({
      code: 'INTERNAL',
      message: 'Premature close',
      details: { code: 'ERR_STREAM_PREMATURE_CLOSE' },
    });
    expect(isErrorShape(shape)).toBe(true);
    expect(isErrorShape({ code: foreign, message: 'x' })).toBe(false);
  });

  it('makes INTERNAL of anything else', () => {
    expect(toErrorShape(new TypeError('boom'))).toEqual({ code: 'INTERNAL', message: 'boom' });
    expect(toErrorShape('text')).toEqual({ code: 'INTERNAL', message: 'text' });
  });
});
