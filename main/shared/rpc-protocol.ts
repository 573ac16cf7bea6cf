/**
 * JSON-RPC 2.0 between main/CLI and the helper: one JSON text per line
 * (newline-delimited) over a Unix stream socket. A line may be at most
 * MAX_FRAME bytes; a longer one is answered with FRAME_TOO_LARGE and skipped
 * up to its newline, so one bad frame never desynchronises the stream.
 */
import { z } from 'zod';
import { lazy } from '../../preload/schemas/lazy';
import { BerthError, toErrorShape, type ErrorShape } from '../../preload/errors';

export const MAX_FRAME = 16 * 1024 * 1024;

export const RpcErrorCode = {
  PARSE_ERROR: -32700,
  INVALID_REQUEST: -32600,
  METHOD_NOT_FOUND: -32601,
  INVALID_PARAMS: -32602,
  INTERNAL: -32603,
  /** Application errors; the stable code travels in error.data.code. */
  SERVER: -32000,
} as const;

const Id = lazy(() => z.union([z.string().max(256), z.number().finite(), z.null()]));
export type RpcId = z.infer<typeof Id>;

export const RpcRequest = lazy(() =>
  z
    .object({
      jsonrpc: z.literal('2.0'),
      id: Id.optional(),
      method: z.string().min(1).max(256),
      params: z.union([z.record(z.string(), z.unknown()), z.array(z.unknown())]).optional(),
    })
    .strict(),
);
export type RpcRequest = z.infer<typeof RpcRequest>;

export const RpcErrorObject = lazy(() =>
  z.object({
    code: z.number().int(),
    message: z.string(),
    data: z.object({ code: z.string(), details: z.record(z.string(), z.unknown()).optional() }).optional(),
  }),
);

export const RpcResponse = lazy(() =>
  z.union([
    z.object({ jsonrpc: z.literal('2.0'), id: Id, result: z.unknown() }),
    z.object({ jsonrpc: z.literal('2.0'), id: Id, error: RpcErrorObject }),
  ]),
);
export type RpcResponse = z.infer<typeof RpcResponse>;

/** Server → client notification (events). */
export const RpcNotification = lazy(() =>
  z.object({
    jsonrpc: z.literal('2.0'),
    method: z.string(),
    params: z.unknown(),
  }),
);

const numericFor: Record<string, number> = {
  PARSE_ERROR: RpcErrorCode.PARSE_ERROR,
  BAD_REQUEST: RpcErrorCode.INVALID_REQUEST,
  FRAME_TOO_LARGE: RpcErrorCode.INVALID_REQUEST,
  METHOD_NOT_FOUND: RpcErrorCode.METHOD_NOT_FOUND,
  BAD_PARAMS: RpcErrorCode.INVALID_PARAMS,
  INTERNAL: RpcErrorCode.INTERNAL,
};

export function errorResponse(id: RpcId, e: ErrorShape): RpcResponse {
  return {
    jsonrpc: '2.0',
    id,
    error: {
      code: numericFor[e.code] ?? RpcErrorCode.SERVER,
      message: e.message,
      data: e.details ? { code: e.code, details: e.details } : { code: e.code },
    },
  };
}

export function errorFromResponse(err: z.infer<typeof RpcErrorObject>): BerthError {
  // toErrorShape keeps a declared code and turns any other into INTERNAL (details.code).
  return BerthError.from(
    toErrorShape({ code: err.data?.code ?? 'INTERNAL', message: err.message, details: err.data?.details }),
  );
}

export type Frame = { kind: 'line'; text: string } | { kind: 'too-large'; bytes: number };

/**
 * Splits a byte stream into lines without quadratic copying; bounded memory:
 * at most MAX_FRAME bytes are buffered, past that the rest of the line is
 * dropped and reported once.
 */
export class LineFramer {
  private parts: Buffer[] = [];
  private size = 0;
  private discarding = 0; // >0: bytes dropped of an oversized line so far

  constructor(private readonly max = MAX_FRAME) {}

  push(chunk: Buffer): Frame[] {
    const out: Frame[] = [];
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      if (nl === -1) {
        this.append(chunk.subarray(start));
        return out;
      }
      this.append(chunk.subarray(start, nl));
      if (this.discarding > 0) {
        out.push({ kind: 'too-large', bytes: this.discarding });
        this.discarding = 0;
      } else {
        const text = (this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.size)).toString('utf8');
        if (text.trim().length > 0) out.push({ kind: 'line', text });
      }
      this.parts = [];
      this.size = 0;
      start = nl + 1;
    }
  }

  private append(piece: Buffer): void {
    if (piece.length === 0) return;
    if (this.discarding > 0) {
      this.discarding += piece.length;
      return;
    }
    if (this.size + piece.length > this.max) {
      this.discarding = this.size + piece.length;
      this.parts = [];
      this.size = 0;
      return;
    }
    // Copy: the chunk's memory belongs to the socket.
    this.parts.push(Buffer.from(piece));
    this.size += piece.length;
  }

  /** Bytes held for an unfinished line. */
  get buffered(): number {
    return this.size;
  }
}

export function encodeFrame(msg: unknown): string {
  return JSON.stringify(msg) + '\n';
}
