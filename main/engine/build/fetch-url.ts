/**
 * `ADD <http(s) URL> dest`: the download, as docker's ADD does it. The file
 * is named by the URL's last path segment (Content-Disposition's filename
 * when the server sends one), its mtime is the Last-Modified header's when
 * there is one, and its mode 0600 (docker's for remote files; `--chmod` wins).
 * `--checksum=sha256:…` is checked against the bytes as they stream to disk:
 * a mismatch is BUILD_CHECKSUM_MISMATCH and nothing is added. Git URLs
 * (`ADD https://…/repo.git`, `git@…`) are refused as BUILD_UNSUPPORTED.
 *
 * The download is the helper's own, from the host's network namespace, as
 * buildkit's and buildah's are from their daemon's: the build's `--network`
 * decides only whether one may happen. `none` refuses it
 * (BUILD_NETWORK_DISABLED, naming the line: a build asked to stay offline
 * never reaches out); `bridge` and `host` both download from the host, so an
 * ADD URL reaches what the host reaches (its loopback too), unlike a bridge
 * RUN step, which has no route to the host's loopback.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { BerthError } from '../../../preload/errors';
import { pipeToFile } from '../../shared/pipe-to-file';

export function isHttpUrl(src: string): boolean {
  return /^https?:\/\//i.test(src);
}

/** buildkit's isGitURL: git@, git://, github.com/…, or an http(s) URL whose path ends in .git. */
export function isGitUrl(src: string): boolean {
  if (/^(git@|git:\/\/|github\.com\/)/i.test(src)) return true;
  if (!isHttpUrl(src)) return false;
  try {
    return /\.git$/i.test(new URL(src).pathname);
  } catch {
    return false;
  }
}

/** Whether the build's `--network` lets `ADD <src>` download; BUILD_NETWORK_DISABLED when it is none. */
export function checkUrlNetwork(network: 'none' | 'host' | 'bridge', src: string, line: number): void {
  if (network !== 'none') return;
  throw new BerthError(
    'BUILD_NETWORK_DISABLED',
    `line ${line}: ADD ${src}: the build's network is none (--network none): a URL cannot be downloaded; use --network bridge or host, or put the file in the context`,
    { line, url: src, network },
  );
}

/** `--checksum=sha256:<64 hex>` → the digest, or BUILD_SYNTAX. */
export function parseChecksum(spec: string, line: number): string {
  if (!/^sha256:[0-9a-f]{64}$/.test(spec)) {
    throw new BerthError(
      'BUILD_SYNTAX',
      `line ${line}: --checksum=${spec}: sha256:<64 lowercase hex digits> expected`,
      {
        line,
      },
    );
  }
  return spec;
}

function fileNameOf(url: URL, disposition: string | null): string {
  const m = disposition ? /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition) : null;
  const fromHeader = m ? path.posix.basename(decodeURIComponent(m[1] as string)) : '';
  const fromPath = path.posix.basename(decodeURIComponent(url.pathname));
  const name = [fromHeader, fromPath].find((n) => n !== '' && n !== '.' && n !== '..' && !n.includes('/'));
  return name ?? '__unnamed__';
}

/**
 * Downloads `src` into a new file under `dir`; answers its name and digest.
 * `checksum`: the digest the bytes must have.
 */
export async function downloadUrl(
  src: string,
  dir: string,
  o: { line: number; checksum: string | null; signal?: AbortSignal },
): Promise<{ name: string; digest: string }> {
  const fail = (why: string, cause?: unknown): BerthError =>
    new BerthError(
      'BUILD_FETCH_FAILED',
      `line ${o.line}: ADD ${src}: ${why}`,
      { line: o.line, url: src },
      cause ? { cause } : undefined,
    );
  let res: Response;
  try {
    res = await fetch(src, { redirect: 'follow', ...(o.signal ? { signal: o.signal } : {}) });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw fail(cause?.code ?? cause?.message ?? (err as Error).message, err);
  }
  if (!res.ok || !res.body) {
    await res.body?.cancel().catch(() => undefined);
    throw fail(`HTTP ${res.status} ${res.statusText}`.trim());
  }
  const name = fileNameOf(new URL(res.url || src), res.headers.get('content-disposition'));
  const file = path.join(dir, name);
  const h = crypto.createHash('sha256');
  const body = Readable.fromWeb(res.body as unknown as WebReadableStream<Uint8Array>);
  async function* hashed(): AsyncGenerator<Uint8Array> {
    for await (const chunk of body as AsyncIterable<Uint8Array>) {
      h.update(chunk);
      yield chunk;
    }
  }
  try {
    await pipeToFile(file, hashed(), { flags: 'wx', mode: 0o600 });
  } catch (err) {
    fs.rmSync(file, { force: true });
    throw fail(`the download broke off: ${(err as Error).message}`, err);
  }
  const digest = `sha256:${h.digest('hex')}`;
  if (o.checksum !== null && digest !== o.checksum) {
    fs.rmSync(file, { force: true });
    throw new BerthError(
      'BUILD_CHECKSUM_MISMATCH',
      `line ${o.line}: ADD ${src}: --checksum=${o.checksum} expected, the download is ${digest}`,
      { line: o.line, url: src, expected: o.checksum, actual: digest },
    );
  }
  fs.chmodSync(file, 0o600);
  const lm = res.headers.get('last-modified');
  const when = lm ? new Date(lm) : null;
  if (when && !Number.isNaN(when.getTime())) fs.utimesSync(file, when, when);
  return { name, digest };
}
