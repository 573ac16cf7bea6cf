/**
 * The OCI distribution client for one registry: manifests (fetched with
 * digest verification), blobs streamed to the store with resume, blob
 * uploads (monolithic, or a cross-repository mount) and manifest pushes.
 *
 * Every operation takes an AbortSignal, retries network errors / 5xx / 429
 * a bounded number of times with backoff, and throws REGISTRY_* codes
 * (errors.ts) for everything else.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeWebReadableStream } from 'node:stream/web';
import { isDigest, parseDigest, sha256, type Digest } from '../../oci/digest';
import {
  ImageIndexSchema,
  ImageManifestSchema,
  MediaTypes,
  isIndexMediaType,
  isManifestMediaType,
  type Descriptor,
  type ImageIndex,
  type ImageManifest,
} from '../../oci/oci-types';
import { repositoryScope } from './auth';
import {
  checkRepository,
  checkTagOrDigest,
  parseEndpoint,
  type EndpointOptions,
  type RegistryEndpoint,
} from './endpoint';
import type { RegistryErrorDetails } from './errors';
import { isNetworkError, mediaTypeOf, readLimited, sleep, type RequestBody } from './http';
import { RegistryTransport, type TransportOptions } from './transport';
import type { BlobProgressFn, BlobSink, BlobSource } from './types';
import { BerthError, isBerthError } from '../../../../preload/errors';
import { pipeToFile } from '../../../shared/pipe-to-file';

export { hostPlatform, resolvePlatform, type PlatformSpec } from './platform';

/** What we accept for a manifest, best first. */
export const MANIFEST_ACCEPT = [
  MediaTypes.ociIndex,
  MediaTypes.dockerManifestList,
  MediaTypes.ociManifest,
  MediaTypes.dockerManifest,
].join(', ');

const SCHEMA1_TYPES = new Set([
  'application/vnd.docker.distribution.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v1+prettyjws',
]);

/** The distribution spec's own limit for manifests. */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
export const MAX_CONFIG_BYTES = 32 * 1024 * 1024;

interface FetchedManifestBase {
  /** The bytes exactly as served (what the digest covers). */
  bytes: Buffer;
  /** sha256 of `bytes` (verified against the reference or Docker-Content-Digest). */
  digest: Digest;
  mediaType: string;
  /** Docker-Content-Digest as the registry sent it (already checked against `digest` when sha256). */
  registryDigest?: string;
}

export type FetchedManifest =
  | (FetchedManifestBase & { kind: 'index'; index: ImageIndex })
  | (FetchedManifestBase & { kind: 'manifest'; manifest: ImageManifest });

export interface CallOptions {
  signal?: AbortSignal | undefined;
}

export interface RegistryClientOptions extends TransportOptions {
  /** Token scope asked for every request: 'pull' (default) or 'pull,push' for a push session. */
  actions?: 'pull' | 'pull,push';
}

export type PushBlobResult = 'exists' | 'mounted' | 'uploaded';

/** In-flight downloads by partial path: one writer per file, whoever asks. */
const inflight = new Map<string, Promise<void>>();

function toBuffer(chunk: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  return Buffer.from(String(chunk));
}

function nodeBody(res: Response): Readable {
  if (!res.body) return Readable.from([]);
  return Readable.fromWeb(res.body as unknown as NodeWebReadableStream<Uint8Array>);
}

function parseContentRange(v: string | null): { start: number; end: number; size?: number } | undefined {
  const m = v === null ? null : /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(v.trim());
  if (!m) return undefined;
  const out: { start: number; end: number; size?: number } = { start: Number(m[1]), end: Number(m[2]) };
  if (m[3] !== '*') out.size = Number(m[3]);
  return out;
}

async function fileSize(file: string): Promise<number> {
  try {
    const st = await fsp.stat(file);
    return st.isFile() ? st.size : 0;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
}

async function hashPrefix(file: string, length: number, hash: crypto.Hash, signal?: AbortSignal): Promise<void> {
  if (length === 0) return;
  const stream = fs.createReadStream(file, { start: 0, end: length - 1, ...(signal ? { signal } : {}) });
  for await (const chunk of stream) hash.update(toBuffer(chunk));
}

export class RegistryClient {
  readonly transport: RegistryTransport;
  readonly registry: string;
  readonly apiBase: string;
  private readonly actions: 'pull' | 'pull,push';

  constructor(endpoint: Pick<RegistryEndpoint, 'registry' | 'apiBase'>, opts: RegistryClientOptions = {}) {
    this.registry = endpoint.registry;
    this.apiBase = endpoint.apiBase.replace(/\/+$/, '');
    this.transport = new RegistryTransport(this.registry, this.apiBase, opts);
    this.actions = opts.actions ?? 'pull';
  }

  /** A client for the registry of a reference, and the parsed reference. */
  static forReference(
    ref: string,
    opts: RegistryClientOptions & EndpointOptions = {},
  ): { client: RegistryClient; endpoint: RegistryEndpoint } {
    const endpoint = parseEndpoint(ref, opts);
    return { client: new RegistryClient(endpoint, opts), endpoint };
  }

  private scopes(repo: string, extra: string[] = []): string[] {
    return [repositoryScope(repo, this.actions), ...extra];
  }

  private details(repo: string, extra: RegistryErrorDetails = {}): RegistryErrorDetails {
    return this.transport.details(repo, extra);
  }

  private mismatch(repo: string, what: string, expected: string, actual: string, extra: RegistryErrorDetails = {}) {
    return new BerthError('DIGEST_MISMATCH', `digest mismatch for ${what}: expected ${expected}, got ${actual}`, {
      ...this.details(repo, extra),
      blob: what,
      expected,
      actual,
    });
  }

  /** Runs `fn` again after network errors and transient statuses (5xx, 429), with backoff. */
  private async retrying<T>(repo: string, signal: AbortSignal | undefined, fn: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        if (signal?.aborted) throw signal.reason;
        const network = isNetworkError(err) || isBerthError(err, 'REGISTRY_BODY_SHORT');
        if ((network || isTransient(err)) && attempt < this.transport.retries) {
          const after = err instanceof BerthError ? err.details?.retryAfterMs : undefined;
          await sleep(this.transport.backoff(attempt, typeof after === 'number' ? after : undefined), signal);
          continue;
        }
        throw network ? this.transport.unreachable(repo, err) : err;
      }
    }
  }

  /**
   * Fetches a manifest or index by tag or digest. By digest, the bytes must
   * hash to it; by tag, they must hash to Docker-Content-Digest when the
   * registry sends one. Schema1 → REGISTRY_UNSUPPORTED.
   */
  async getManifest(repo: string, reference: string, opts: CallOptions = {}): Promise<FetchedManifest> {
    const { signal } = opts;
    checkRepository(repo);
    checkTagOrDigest(reference);
    return this.retrying(repo, signal, async () => {
      const r = await this.transport.request({
        method: 'GET',
        path: `${repo}/manifests/${reference}`,
        headers: { accept: MANIFEST_ACCEPT },
        repository: repo,
        scopes: this.scopes(repo),
        signal,
      });
      if (r.res.status !== 200) return r.fail(`manifest ${reference}`);
      let bytes: Buffer;
      try {
        bytes = await readLimited(r.res, MAX_MANIFEST_BYTES);
      } catch (err) {
        if (isBerthError(err, 'REGISTRY_BODY_TOO_LARGE')) {
          throw new BerthError(
            'REGISTRY_PROTOCOL',
            `manifest ${reference} is larger than ${MAX_MANIFEST_BYTES} bytes`,
            {
              ...this.details(repo, { status: 200 }),
            },
          );
        }
        throw err;
      }
      const digest = sha256(bytes);
      if (isDigest(reference) && digest !== reference) {
        throw this.mismatch(repo, `manifest ${reference}`, reference, digest);
      }
      const served = r.res.headers.get('docker-content-digest');
      if (served !== null && served.startsWith('sha256:') && served !== digest) {
        throw this.mismatch(repo, `manifest ${reference} (Docker-Content-Digest)`, served, digest);
      }
      const fetched = this.classify(repo, reference, bytes, digest, r.res.headers.get('content-type'));
      return served === null ? fetched : { ...fetched, registryDigest: served };
    });
  }

  private classify(repo: string, reference: string, bytes: Buffer, digest: Digest, contentType: string | null) {
    const details = this.details(repo, { reference, digest });
    let json: unknown;
    try {
      json = JSON.parse(bytes.toString('utf8'));
    } catch {
      throw new BerthError('REGISTRY_PROTOCOL', `manifest ${reference} is not valid JSON`, details);
    }
    if (typeof json !== 'object' || json === null || Array.isArray(json)) {
      throw new BerthError('REGISTRY_PROTOCOL', `manifest ${reference} is not a JSON object`, details);
    }
    const obj = json as Record<string, unknown>;
    const declared = typeof obj.mediaType === 'string' ? obj.mediaType : undefined;
    const served = mediaTypeOf(contentType);
    if (obj.schemaVersion === 1 || SCHEMA1_TYPES.has(served ?? '') || SCHEMA1_TYPES.has(declared ?? '')) {
      throw new BerthError(
        'REGISTRY_UNSUPPORTED',
        `manifest ${reference} is a Docker schema1 manifest, which is not supported (deprecated since 2017; re-push the image)`,
        details,
      );
    }
    const known = (t: string | undefined): boolean => isIndexMediaType(t) || isManifestMediaType(t);
    let mediaType = declared ?? (known(served) ? served : undefined);
    if (mediaType === undefined) {
      if (Array.isArray(obj.manifests)) mediaType = MediaTypes.ociIndex;
      else if (obj.config !== undefined && Array.isArray(obj.layers)) mediaType = MediaTypes.ociManifest;
    }
    if (isIndexMediaType(mediaType)) {
      const parsed = ImageIndexSchema.safeParse(json);
      if (!parsed.success) {
        throw new BerthError(
          'REGISTRY_PROTOCOL',
          `index ${reference} is malformed: ${parsed.error.issues[0]?.message}`,
          {
            ...details,
            issues: parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.')}: ${i.message}`),
          },
        );
      }
      return { kind: 'index' as const, bytes, digest, mediaType: mediaType as string, index: parsed.data };
    }
    if (isManifestMediaType(mediaType)) {
      const parsed = ImageManifestSchema.safeParse(json);
      if (!parsed.success) {
        throw new BerthError(
          'REGISTRY_PROTOCOL',
          `manifest ${reference} is malformed: ${parsed.error.issues[0]?.message}`,
          { ...details, issues: parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.')}: ${i.message}`) },
        );
      }
      return { kind: 'manifest' as const, bytes, digest, mediaType: mediaType as string, manifest: parsed.data };
    }
    throw new BerthError(
      'REGISTRY_UNSUPPORTED',
      `manifest ${reference} has an unsupported media type ${mediaType ?? served ?? '(none)'}`,
      { ...details, mediaType: mediaType ?? served },
    );
  }

  /** HEAD on a blob: true (200), false (404); throws for anything else. */
  async blobExists(repo: string, digest: string, opts: CallOptions = {}): Promise<boolean> {
    const { signal } = opts;
    checkRepository(repo);
    parseDigest(digest);
    return this.retrying(repo, signal, async () => {
      const r = await this.transport.request({
        method: 'HEAD',
        path: `${repo}/blobs/${digest}`,
        repository: repo,
        scopes: this.scopes(repo),
        signal,
      });
      await r.res.body?.cancel().catch(() => undefined);
      if (r.res.status === 200) return true;
      if (r.res.status === 404) return false;
      return r.fail(`blob ${digest}`);
    });
  }

  /** A small blob (a config) in memory, verified. */
  async fetchBlobBytes(
    repo: string,
    descriptor: Pick<Descriptor, 'digest' | 'size'>,
    opts: CallOptions & { maxBytes?: number } = {},
  ): Promise<Buffer> {
    const { signal } = opts;
    checkRepository(repo);
    const digest = parseDigest(descriptor.digest);
    const max = opts.maxBytes ?? MAX_CONFIG_BYTES;
    if (descriptor.size > max) {
      throw new BerthError('REGISTRY_PROTOCOL', `blob ${digest} is ${descriptor.size} bytes, more than ${max}`, {
        ...this.details(repo, { digest }),
      });
    }
    return this.retrying(repo, signal, async () => {
      const r = await this.transport.request({
        method: 'GET',
        path: `${repo}/blobs/${digest}`,
        headers: { 'accept-encoding': 'identity' },
        repository: repo,
        scopes: this.scopes(repo),
        signal,
      });
      if (r.res.status !== 200) return r.fail(`blob ${digest}`);
      let bytes: Buffer;
      try {
        bytes = await readLimited(r.res, descriptor.size);
      } catch (err) {
        if (isBerthError(err, 'REGISTRY_BODY_TOO_LARGE')) {
          throw this.mismatch(repo, `blob ${digest}`, digest, '(a body longer than the descriptor size)', {
            expectedSize: descriptor.size,
          });
        }
        throw err;
      }
      if (bytes.length < descriptor.size) throw new BerthError('REGISTRY_BODY_SHORT', `blob ${digest} ended early`);
      const actual = sha256(bytes);
      if (actual !== digest) throw this.mismatch(repo, `blob ${digest}`, digest, actual);
      return bytes;
    });
  }

  /**
   * Downloads a blob into the sink: nothing when the sink has it; otherwise
   * into `sink.partialPath(digest)`, resuming with `Range` from what is
   * already there (a 200 answer starts over), hashing as it streams, then
   * `sink.commit`. A digest or size mismatch removes the partial file and
   * commits nothing. Returns what happened.
   */
  async fetchBlob(
    repo: string,
    descriptor: Pick<Descriptor, 'digest' | 'size'>,
    sink: BlobSink,
    onProgress?: BlobProgressFn,
    opts: CallOptions = {},
  ): Promise<'exists' | 'downloaded'> {
    checkRepository(repo);
    const digest = parseDigest(descriptor.digest);
    const total = descriptor.size;
    const partial = sink.partialPath(digest);
    for (;;) {
      opts.signal?.throwIfAborted();
      if (await sink.has(digest)) {
        onProgress?.({ phase: 'exists', current: total, total });
        return 'exists';
      }
      const running = inflight.get(partial);
      if (!running) break;
      await running.catch(() => undefined);
    }
    // No await between the check above and this set: one writer per partial file.
    const p = this.download(repo, digest, total, sink, partial, onProgress, opts.signal);
    inflight.set(partial, p);
    try {
      await p;
    } finally {
      if (inflight.get(partial) === p) inflight.delete(partial);
    }
    return 'downloaded';
  }

  private async download(
    repo: string,
    digest: Digest,
    total: number,
    sink: BlobSink,
    partial: string,
    onProgress: BlobProgressFn | undefined,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    await fsp.mkdir(path.dirname(partial), { recursive: true, mode: 0o700 });
    for (let pass = 0; ; pass++) {
      const { actual, keptLocalBytes } = await this.transfer(repo, digest, total, partial, onProgress, signal);
      if (actual === digest) break;
      await fsp.rm(partial, { force: true });
      // Bytes kept from an earlier attempt may be the bad ones: once more from zero.
      if (keptLocalBytes && pass === 0) continue;
      throw this.mismatch(repo, `blob ${digest}`, digest, actual, { size: total });
    }
    onProgress?.({ phase: 'verifying', current: total, total });
    await sink.commit(digest, partial, total);
    onProgress?.({ phase: 'done', current: total, total });
  }

  /** Brings the partial file to `total` bytes (resuming, retrying); returns its sha256. */
  private async transfer(
    repo: string,
    digest: Digest,
    total: number,
    partial: string,
    onProgress: BlobProgressFn | undefined,
    signal: AbortSignal | undefined,
  ): Promise<{ actual: Digest; keptLocalBytes: boolean }> {
    let failures = 0;
    let hash: crypto.Hash;
    let keptLocalBytes = false;
    for (;;) {
      signal?.throwIfAborted();
      let offset = await fileSize(partial);
      if (offset > total) {
        await fsp.truncate(partial, 0);
        offset = 0;
      }
      hash = crypto.createHash('sha256');
      await hashPrefix(partial, offset, hash, signal);
      if (offset === total) {
        keptLocalBytes ||= offset > 0;
        break;
      }
      const before = offset;
      let current = offset;
      try {
        const r = await this.transport.request({
          method: 'GET',
          path: `${repo}/blobs/${digest}`,
          headers: { 'accept-encoding': 'identity', ...(offset > 0 ? { range: `bytes=${offset}-` } : {}) },
          repository: repo,
          scopes: this.scopes(repo),
          signal,
        });
        const status = r.res.status;
        let append: boolean;
        if (status === 206 && offset > 0) {
          const range = parseContentRange(r.res.headers.get('content-range'));
          if (range?.start !== offset || (range.size !== undefined && range.size !== total)) {
            // Not the range we asked for: start over with a plain GET.
            await r.res.body?.cancel().catch(() => undefined);
            await fsp.truncate(partial, 0);
            if (++failures > this.transport.retries) return r.fail(`blob ${digest} (bad Content-Range)`);
            continue;
          }
          append = true;
          keptLocalBytes = true;
        } else if (status === 200) {
          append = false;
          keptLocalBytes = false;
          current = 0;
          hash = crypto.createHash('sha256');
        } else if (status === 416) {
          // What we hold is no prefix the registry recognizes: drop it.
          await r.res.body?.cancel().catch(() => undefined);
          await fsp.truncate(partial, 0);
          if (++failures > this.transport.retries) return r.fail(`blob ${digest} (range not satisfiable)`);
          continue;
        } else {
          return await r.fail(`blob ${digest}`);
        }
        onProgress?.({ phase: 'downloading', current, total });
        const h = hash;
        const body = nodeBody(r.res);
        async function* counted(): AsyncGenerator<Buffer> {
          for await (const c of body as AsyncIterable<unknown>) {
            const chunk = toBuffer(c);
            if (current + chunk.length > total)
              throw new BerthError('REGISTRY_BODY_TOO_LARGE', 'a body longer than the descriptor size');
            current += chunk.length;
            h.update(chunk);
            onProgress?.({ phase: 'downloading', current, total });
            yield chunk;
          }
        }
        await pipeToFile(partial, counted(), { flags: append ? 'a' : 'w', mode: 0o600, signal });
        if (current < total)
          throw new BerthError('REGISTRY_BODY_SHORT', `blob ${digest} ended at ${current} of ${total} bytes`);
        break;
      } catch (err) {
        if (signal?.aborted) throw signal.reason;
        if (isBerthError(err, 'REGISTRY_BODY_TOO_LARGE')) {
          await fsp.rm(partial, { force: true });
          throw this.mismatch(repo, `blob ${digest}`, digest, '(a body longer than the descriptor size)', {
            expectedSize: total,
          });
        }
        const network = isNetworkError(err) || isBerthError(err, 'REGISTRY_BODY_SHORT');
        if (!network && !isTransient(err)) throw err;
        // Progress resets the count: a flaky link that keeps delivering still finishes.
        if (current > before) failures = 0;
        if (++failures > this.transport.retries) throw network ? this.transport.unreachable(repo, err) : err;
        const after = err instanceof BerthError ? err.details?.retryAfterMs : undefined;
        await sleep(this.transport.backoff(failures - 1, typeof after === 'number' ? after : undefined), signal);
      }
    }
    return { actual: `sha256:${hash.digest('hex')}`, keptLocalBytes };
  }

  /**
   * Uploads a blob unless the registry has it (HEAD first): a cross-repository
   * mount when `mountFrom` names another repository of this registry holding
   * it, else POST /blobs/uploads/ then one monolithic PUT ?digest=….
   */
  async pushBlob(
    repo: string,
    descriptor: Pick<Descriptor, 'digest' | 'size'>,
    source: BlobSource,
    opts: CallOptions & { onProgress?: BlobProgressFn; mountFrom?: string } = {},
  ): Promise<PushBlobResult> {
    const { signal, onProgress } = opts;
    checkRepository(repo);
    if (opts.mountFrom) checkRepository(opts.mountFrom);
    const digest = parseDigest(descriptor.digest);
    const total = descriptor.size;
    if (await this.blobExists(repo, digest, { signal })) {
      onProgress?.({ phase: 'exists', current: total, total });
      return 'exists';
    }
    const have = await source.size(digest);
    if (have !== total) {
      throw this.mismatch(repo, `local blob ${digest}`, `${total} bytes`, `${have} bytes`, {
        expectedSize: total,
        size: have,
      });
    }
    const mountFrom = opts.mountFrom && opts.mountFrom !== repo ? opts.mountFrom : undefined;
    return this.retrying(repo, signal, async () => {
      const scopes = this.scopes(repo, mountFrom ? [repositoryScope(mountFrom, 'pull')] : []);
      const start = await this.transport.request({
        method: 'POST',
        path: `${repo}/blobs/uploads/`,
        query: mountFrom ? { mount: digest, from: mountFrom } : {},
        headers: { 'content-length': '0' },
        repository: repo,
        scopes,
        signal,
      });
      await start.res.body?.cancel().catch(() => undefined);
      if (mountFrom && start.res.status === 201) {
        onProgress?.({ phase: 'mounted', current: total, total });
        return 'mounted';
      }
      if (start.res.status !== 202) return start.fail(`upload of blob ${digest}`);
      const location = start.res.headers.get('location');
      if (!location) {
        throw new BerthError('REGISTRY_PROTOCOL', `upload of blob ${digest}: 202 without a Location header`, {
          ...this.details(repo, { status: 202 }),
        });
      }
      const target = new URL(location, start.url);
      target.searchParams.set('digest', digest);
      let current = 0;
      const body = (): RequestBody => {
        current = 0;
        const src = source.open(digest);
        const counted = async function* (): AsyncGenerator<Buffer> {
          for await (const c of src) {
            const chunk = toBuffer(c);
            current += chunk.length;
            onProgress?.({ phase: 'uploading', current, total });
            yield chunk;
          }
        };
        return Readable.toWeb(Readable.from(counted())) as unknown as RequestBody;
      };
      onProgress?.({ phase: 'uploading', current: 0, total });
      const put = await this.transport.request({
        method: 'PUT',
        path: target.toString(),
        headers: { 'content-type': 'application/octet-stream', 'content-length': String(total) },
        body,
        repository: repo,
        scopes,
        signal,
      });
      await put.res.body?.cancel().catch(() => undefined);
      if (put.res.status !== 201) return put.fail(`upload of blob ${digest}`);
      const served = put.res.headers.get('docker-content-digest');
      if (served !== null && served.startsWith('sha256:') && served !== digest) {
        throw this.mismatch(repo, `uploaded blob ${digest}`, digest, served);
      }
      onProgress?.({ phase: 'done', current: total, total });
      return 'uploaded';
    });
  }

  /**
   * PUT a manifest (or index) under a tag or its digest. The registry's
   * Docker-Content-Digest must be the sha256 of our bytes.
   */
  async putManifest(
    repo: string,
    reference: string,
    mediaType: string,
    bytes: Uint8Array,
    opts: CallOptions = {},
  ): Promise<{ digest: Digest; registryDigest?: string; location?: string }> {
    const { signal } = opts;
    checkRepository(repo);
    checkTagOrDigest(reference);
    const digest = sha256(bytes);
    if (isDigest(reference) && reference !== digest) throw this.mismatch(repo, 'manifest to push', reference, digest);
    return this.retrying(repo, signal, async () => {
      const r = await this.transport.request({
        method: 'PUT',
        path: `${repo}/manifests/${reference}`,
        headers: { 'content-type': mediaType },
        body: () => bytes as unknown as RequestBody,
        repository: repo,
        scopes: this.scopes(repo),
        signal,
      });
      await r.res.body?.cancel().catch(() => undefined);
      if (r.res.status < 200 || r.res.status > 299) return r.fail(`manifest ${reference}`);
      const served = r.res.headers.get('docker-content-digest');
      if (served !== null && served !== digest) {
        throw this.mismatch(repo, `pushed manifest ${reference} (Docker-Content-Digest)`, digest, served);
      }
      const out: { digest: Digest; registryDigest?: string; location?: string } = { digest };
      if (served !== null) out.registryDigest = served;
      const location = r.res.headers.get('location');
      if (location !== null) out.location = location;
      return out;
    });
  }
}

/** A registry error worth retrying: 5xx and 429. */
function isTransient(err: unknown): boolean {
  if (!(err instanceof BerthError)) return false;
  const status = err.details?.status;
  return typeof status === 'number' && (status >= 500 || status === 429);
}
