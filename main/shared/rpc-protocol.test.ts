import { describe, expect, it } from 'vitest';
import { LineFramer, errorFromResponse, errorResponse } from './rpc-protocol';

describe('LineFramer', () => {
  it('splits lines across chunk boundaries', () => {
    const f = new LineFramer(1024);
    expect(f.push(Buffer.from('{"a":1}\n{"b"'))).toEqual([{ kind: 'line', text: '{"a":1}' }]);
    expect(f.push(Buffer.from(':2}\n\n'))).toEqual([{ kind: 'line', text: '{"b":2}' }]);
    expect(f.buffered).toBe(0);
  });

  it('reports an oversized line once and resynchronises at its newline', () => {
    const f = new LineFramer(10);
    expect(f.push(Buffer.from('0123456789abc'))).toEqual([]);
    expect(f.buffered).toBe(0); // dropped, not held
    expect(f.push(Buffer.from('def\nok\n'))).toEqual([
      { kind: 'too-large', bytes: 16 },
      { kind: 'line', text: 'ok' },
    ]);
  });

  it('keeps multi-byte characters split across chunks intact', () => {
    const f = new LineFramer(1024);
    const bytes = Buffer.from('"é"\n');
    expect(f.push(bytes.subarray(0, 2))).toEqual([]);
    expect(f.push(bytes.subarray(2))).toEqual([{ kind: 'line', text: '"é"' }]);
  });
});

describe('errors over JSON-RPC', () => {
  it('round-trips code, message and details', () => {
    const r = errorResponse(7, { code: 'BAD_PARAMS', message: 'nope', details: { method: 'x' } });
    expect(r).toMatchObject({ id: 7, error: { code: -32602, data: { code: 'BAD_PARAMS' } } });
    if (!('error' in r)) throw new Error('expected an error response');
    const e = errorFromResponse(r.error);
    expect(e.code).toBe('BAD_PARAMS');
    expect(e.message).toBe('nope');
    expect(e.details).toEqual({ method: 'x' });
  });

  it('maps engine codes to the server error range', () => {
    const r = errorResponse(null, { code: 'TAR_PATH_ESCAPE', message: 'x' });
    expect('error' in r && r.error.code).toBe(-32000);
  });
});
