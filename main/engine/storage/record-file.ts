/**
 * The one way the engine reads a state file it wrote itself (a container
 * record, the monitor's state.json/exit.json, the IPAM table, layers.json,
 * index.json): every outcome is a value, never an exception, so one damaged
 * file cannot take down a list or a helper start.
 *
 *   ok       the file parsed as JSON and matched its schema;
 *   missing  no such file (ENOENT, or ENOTDIR on the way to it);
 *   damaged  anything else, with the reason in words: a directory where the
 *            file should be, not a regular file, too large, not UTF-8,
 *            empty, not JSON (truncated), or the wrong shape (the schema's
 *            first complaint and its field path), or an I/O error.
 *
 * Callers decide what damage means for them: a container record becomes a
 * container in state `unreadable`; a monitor file counts as missing (it
 * describes this boot's processes only); a store table becomes STORE_CORRUPT.
 */
import fs from 'node:fs';
import type { z } from 'zod';

export type RecordRead<T> = { kind: 'ok'; value: T } | { kind: 'missing' } | { kind: 'damaged'; reason: string };

/** Larger than any record we write by orders of magnitude; a bigger file is not ours. */
export const MAX_RECORD_BYTES = 64 * 1024 * 1024;

const utf8 = new TextDecoder('utf-8', { fatal: true });

function ioFailure(err: unknown): RecordRead<never> {
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'ENOENT' || e.code === 'ENOTDIR') return { kind: 'missing' };
  if (e.code === 'EISDIR') return { kind: 'damaged', reason: 'a directory stands where the file should be' };
  return { kind: 'damaged', reason: `cannot read it: ${e.code ?? e.message}` };
}

function kindOf(st: fs.Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isSymbolicLink()) return 'a symbolic link';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device node';
  return 'not a regular file';
}

/** Decodes, parses and validates bytes already read. */
export function parseRecordBytes<T>(bytes: Uint8Array, schema: z.ZodType<T>): RecordRead<T> {
  if (bytes.length === 0) return { kind: 'damaged', reason: 'the file is empty' };
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { kind: 'damaged', reason: 'the file is not UTF-8 text (binary data)' };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { kind: 'damaged', reason: `not JSON (truncated or garbled): ${(err as Error).message}` };
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? issue.path.join('.') : '(top level)';
    return { kind: 'damaged', reason: `not a valid record: ${where}: ${issue?.message ?? 'invalid'}` };
  }
  return { kind: 'ok', value: parsed.data };
}

/**
 * Reads one record file. lstat first: a symlink, FIFO or device where a
 * record should be is damage, and opening a FIFO would block the helper.
 */
export function readRecordFile<T>(file: string, schema: z.ZodType<T>, maxBytes = MAX_RECORD_BYTES): RecordRead<T> {
  let bytes: Buffer;
  try {
    const st = fs.lstatSync(file);
    if (!st.isFile()) return { kind: 'damaged', reason: `${kindOf(st)} stands where the file should be` };
    if (st.size > maxBytes)
      return { kind: 'damaged', reason: `${st.size} bytes: larger than any record (${maxBytes})` };
    bytes = fs.readFileSync(file);
  } catch (err) {
    return ioFailure(err);
  }
  return parseRecordBytes(bytes, schema);
}

/** readRecordFile for async callers (the image store). */
export async function readRecordFileAsync<T>(
  file: string,
  schema: z.ZodType<T>,
  maxBytes = MAX_RECORD_BYTES,
): Promise<RecordRead<T>> {
  let bytes: Buffer;
  try {
    const st = await fs.promises.lstat(file);
    if (!st.isFile()) return { kind: 'damaged', reason: `${kindOf(st)} stands where the file should be` };
    if (st.size > maxBytes)
      return { kind: 'damaged', reason: `${st.size} bytes: larger than any record (${maxBytes})` };
    bytes = await fs.promises.readFile(file);
  } catch (err) {
    return ioFailure(err);
  }
  return parseRecordBytes(bytes, schema);
}

/** The value, or null when missing or damaged (files that only describe this boot). */
export function okOrNull<T>(r: RecordRead<T>): T | null {
  return r.kind === 'ok' ? r.value : null;
}
