import fs from 'node:fs';

export interface PipeToFileOptions {
  /** open(2) flags as Node spells them; 'w' unless told ('wx' for a fresh temp file, 'a' to resume). */
  flags?: string;
  mode?: number;
  /** fsync before closing. */
  sync?: boolean;
  signal?: AbortSignal;
}

/** Bytes gathered before one writev: tar sources yield 512-byte headers between bodies. */
const BATCH = 1024 * 1024;

/**
 * Streams `source` into `file` through a handle opened before the first byte
 * and closed before this settles.
 *
 * Why not `pipeline(..., fs.createWriteStream(path))`: the stream opens
 * lazily, so when the source fails at once the pipeline rejects while the
 * open is still in flight; a caller's cleanup `rm` then runs before the file
 * exists and the file appears afterwards (a stray temp file CI caught). Here,
 * once the promise settles, no I/O on the file is pending. (A stream over the
 * FileHandle would do, but `FileHandle.close` then waits on the stream's
 * reference and an error path must tear both down in order; a writev loop is
 * simpler and as fast.)
 */
export async function pipeToFile(
  file: string,
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  opts: PipeToFileOptions = {},
): Promise<void> {
  const fh = await fs.promises.open(file, opts.flags ?? 'w', opts.mode ?? 0o644);
  try {
    let batch: Uint8Array[] = [];
    let batched = 0;
    const flush = async (): Promise<void> => {
      let list = batch;
      batch = [];
      batched = 0;
      while (list.length > 0) {
        const { bytesWritten } = await fh.writev(list);
        list = rest(list, bytesWritten);
      }
    };
    for await (const chunk of source) {
      opts.signal?.throwIfAborted();
      if (chunk.length === 0) continue;
      batch.push(chunk);
      batched += chunk.length;
      if (batched >= BATCH || batch.length >= 1024) await flush();
    }
    opts.signal?.throwIfAborted();
    await flush();
    if (opts.sync) await fh.sync();
  } finally {
    await fh.close();
  }
}

/** What is left of `list` after a (possibly short) writev of `n` bytes. */
function rest(list: Uint8Array[], n: number): Uint8Array[] {
  let i = 0;
  while (i < list.length && n >= list[i]!.length) n -= list[i++]!.length;
  if (i === list.length) return [];
  return [list[i]!.subarray(n), ...list.slice(i + 1)];
}
