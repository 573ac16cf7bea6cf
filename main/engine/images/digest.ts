/**
 * sha256 digests as OCI writes them ("sha256:" + 64 lowercase hex), ChainIDs,
 * and a pass-through tap that hashes a byte stream while it flows.
 */
import crypto from 'node:crypto';
import { BerthError } from '../../../preload/errors';

export type Digest = `sha256:${string}`;

const DIGEST_RE = /^sha256:[0-9a-f]{64}$/;

export function isDigest(value: unknown): value is Digest {
  return typeof value === 'string' && DIGEST_RE.test(value);
}

/** Throws DIGEST_INVALID unless `value` is "sha256:" + 64 lowercase hex. */
export function parseDigest(value: unknown, what = 'digest'): Digest {
  if (!isDigest(value)) {
    throw new BerthError('DIGEST_INVALID', `invalid ${what}: expected sha256:<64 lowercase hex>`, {
      value: typeof value === 'string' ? value.slice(0, 200) : typeof value,
    });
  }
  return value;
}

/** The 64-hex part of a digest (validated). */
export function digestHex(digest: string): string {
  return parseDigest(digest).slice('sha256:'.length);
}

export function sha256(data: Uint8Array | string): Digest {
  return `sha256:${crypto.createHash('sha256').update(data).digest('hex')}`;
}

/**
 * ChainID per the OCI image spec (config.md, "Layer ChainID"):
 * ChainID(L0) = DiffID(L0); ChainID(Ln) = sha256(ChainID(Ln-1) + " " + DiffID(Ln)).
 * Returns one ChainID per layer; the last one identifies the whole stack.
 */
export function chainIds(diffIds: readonly string[]): Digest[] {
  const out: Digest[] = [];
  for (const diffId of diffIds) {
    const d = parseDigest(diffId, 'diffID');
    const prev = out[out.length - 1];
    out.push(prev === undefined ? d : sha256(`${prev} ${d}`));
  }
  return out;
}

/** ChainID of the top of the stack; throws DIGEST_INVALID for an empty list. */
export function chainId(diffIds: readonly string[]): Digest {
  const ids = chainIds(diffIds);
  const last = ids[ids.length - 1];
  if (last === undefined) throw new BerthError('DIGEST_INVALID', 'chainId of an empty layer list');
  return last;
}

/** Counts and hashes every chunk that passes through `tap()`. */
export class DigestTap {
  private readonly hash = crypto.createHash('sha256');
  private finished: Digest | undefined;
  bytes = 0;

  async *tap(source: AsyncIterable<Uint8Array>): AsyncGenerator<Buffer> {
    for await (const chunk of source) {
      const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      this.hash.update(buf);
      this.bytes += buf.length;
      yield buf;
    }
  }

  /** The digest of everything tapped so far; call once the stream is fully consumed. */
  digest(): Digest {
    this.finished ??= `sha256:${this.hash.digest('hex')}`;
    return this.finished;
  }
}

/** Throws DIGEST_MISMATCH naming `blob` when `actual` differs from `expected`. */
export function assertDigest(expected: string, actual: string, blob: string, extra?: Record<string, unknown>): void {
  if (expected !== actual) {
    throw new BerthError('DIGEST_MISMATCH', `digest mismatch for ${blob}: expected ${expected}, got ${actual}`, {
      blob,
      entry: blob,
      expected,
      actual,
      ...extra,
    });
  }
}
