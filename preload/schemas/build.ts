/**
 * `berth build`: a Containerfile and its context built by the helper's own
 * engine (main/engine/build). The context crosses the privilege line as a tar
 * of bytes, never as a path: main packs the folder as the user (with
 * .dockerignore applied) or takes the tar the page uploaded, and streams it
 * through `build.context.*`; the helper builds from what it received.
 *
 *   build.run {context: {path} | {uploadId}, …}    main: pack, send, build, optional OCI output
 *   build.context.begin {size} → {contextId}        helper: a context session (this connection's)
 *   build.context.chunk {contextId, offset, data}   base64 ≤ 4 MiB at the offset received so far
 *   build.context.abort {contextId}
 *   build.start {contextId, containerfile, …}       helper: consumes the context, builds, answers the result
 *   build.start {contextTar, containerfile, …}      the same with a context of ≤ 1 MiB inline (one call, no session)
 *   event build.progress                            one per step start/end and per RUN output line
 *
 * Kept free of Node imports: the renderer imports these schemas.
 */
import { z } from 'zod';
import { lazy } from './lazy';
import { method } from './define';
import { Empty } from './system';
import { Base64Chunk, Sha256Digest, TransferId } from './images';
import { isBase64 } from './base64';

/** Largest context: 4 GiB. */
export const MAX_CONTEXT_BYTES = 4 * 1024 * 1024 * 1024;
/**
 * Largest context sent inline in `build.start` (`contextTar`): 1 MiB, as one
 * chunk of `build.context.chunk`. A warm build of a small folder is then one
 * call instead of three (begin, chunk, start) and the helper writes no tar.
 */
export const MAX_INLINE_CONTEXT_BYTES = 1024 * 1024;
const MAX_INLINE_CONTEXT_BASE64 = 4 * Math.ceil(MAX_INLINE_CONTEXT_BYTES / 3);

export const BuildId = lazy(() => z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a build id'));

export const BuildOptions = lazy(() =>
  z
    .object({
      /** -t NAME, repeatable. */
      tags: z.array(z.string().min(1).max(512)).max(64).default([]),
      /** --build-arg K=V. */
      buildArgs: z
        .record(
          z
            .string()
            .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an ARG name')
            .max(256),
          z.string().max(65536),
        )
        .default({}),
      /** --target STAGE: build up to that stage. */
      target: z.string().min(1).max(256).optional(),
      /** --no-cache: run every step, store the results in the cache again. */
      noCache: z.boolean().default(false),
      /**
       * --network: RUN steps' network; none also refuses ADD <URL>
       * (BUILD_NETWORK_DISABLED), which bridge and host download from the host.
       */
      network: z.enum(['none', 'host', 'bridge']).default('bridge'),
      /**
       * --pull: when a FROM image is fetched from its registry. missing (the
       * default, as docker/buildah): only when the store lacks it; always:
       * every build (`--pull` alone); never: the store's or an error.
       */
      pull: z.enum(['always', 'missing', 'never']).default('missing'),
      /** --platform: only the helper's own (linux/amd64 here) is accepted. */
      platform: z.string().max(64).optional(),
      /** cgroup limits for RUN steps (--memory, --cpus). */
      memoryBytes: z.number().int().positive().optional(),
      cpus: z.number().positive().max(1024).optional(),
    })
    .strict(),
);

export const BuildStep = lazy(() =>
  z.object({
    /** 1-based over the steps that ran (the stages needed for the target only). */
    step: z.number().int(),
    stage: z.string(),
    instruction: z.string(),
    cached: z.boolean(),
    /** Whether the step made a filesystem layer (RUN, COPY, ADD, a WORKDIR that had to be made). */
    layer: z.boolean(),
    durationMs: z.number(),
  }),
);

export const BuildResult = lazy(() =>
  z.object({
    buildId: z.string(),
    imageId: Sha256Digest,
    tags: z.array(z.string()),
    steps: z.array(BuildStep),
    cacheHits: z.number().int(),
    /** Where the OCI archive went, with --output type=oci,dest=FILE. */
    output: z.object({ type: z.literal('oci'), dest: z.string(), size: z.number() }).nullable(),
  }),
);

export const BuildProgress = lazy(() =>
  z.object({
    buildId: z.string(),
    /** step: a step began; done: it ended (cached or run); log: one output line of a RUN; end/error: the build. */
    kind: z.enum(['step', 'done', 'log', 'end', 'error']),
    step: z.number().int(),
    steps: z.number().int(),
    stage: z.string(),
    instruction: z.string(),
    cached: z.boolean().optional(),
    line: z.string().optional(),
    stream: z.enum(['stdout', 'stderr']).optional(),
    imageId: z.string().optional(),
    message: z.string().optional(),
  }),
);

const Context = lazy(() =>
  z.union([
    /** A folder on the host, packed by main as the user (Electron, CLI). */
    z.object({ path: z.string().min(1).max(4096) }).strict(),
    /** A tar the page uploaded through uploads.* (web mode); consumed. */
    z.object({ uploadId: TransferId }).strict(),
  ]),
);

export const buildMethods = {
  'build.run': method({
    where: 'main',
    params: lazy(() =>
      z
        .object({
          context: Context,
          /** -f: the Containerfile's path (relative to the context unless absolute); default Containerfile, then Dockerfile. */
          file: z.string().min(1).max(4096).optional(),
          /** The Containerfile's text itself (the Build page's editor); wins over `file`. */
          containerfile: z
            .string()
            .max(1024 * 1024)
            .optional(),
          options: BuildOptions.default({
            tags: [],
            buildArgs: {},
            noCache: false,
            network: 'bridge',
            pull: 'missing',
          }),
          /** --output type=oci,dest=FILE (written by main, as the user). */
          output: z
            .object({ type: z.literal('oci'), dest: z.string().min(1).max(4096) })
            .strict()
            .optional(),
          buildId: BuildId.optional(),
        })
        .strict(),
    ),
    result: BuildResult,
    summary: 'Build an image from a Containerfile and a context folder or an uploaded context tar (berth build)',
  }),
  'build.context.begin': method({
    where: 'helper',
    params: lazy(() =>
      z.object({ size: z.number().int().nonnegative().max(MAX_CONTEXT_BYTES, 'a context is at most 4 GiB') }).strict(),
    ),
    result: lazy(() => z.object({ contextId: TransferId })),
    summary: 'Begin sending a build context tar of `size` bytes',
  }),
  'build.context.chunk': method({
    where: 'helper',
    params: lazy(() =>
      z.object({ contextId: TransferId, offset: z.number().int().nonnegative(), data: Base64Chunk }).strict(),
    ),
    result: lazy(() => z.object({ received: z.number().int() })),
    summary: 'One chunk of a build context, at the offset received so far',
  }),
  'build.context.abort': method({
    where: 'helper',
    params: lazy(() => z.object({ contextId: TransferId }).strict()),
    result: Empty,
    summary: 'Drop a build context',
  }),
  'build.start': method({
    where: 'helper',
    params: lazy(() =>
      z
        .object({
          /** A context sent through build.context.* (consumed) … */
          contextId: TransferId.optional(),
          /** … or the context tar itself, base64 of at most MAX_INLINE_CONTEXT_BYTES (counted in characters, as Base64Chunk): exactly one of the two. */
          contextTar: z
            .string()
            .max(MAX_INLINE_CONTEXT_BASE64, 'an inline context is at most 1 MiB')
            .refine(isBase64, 'expected base64')
            .optional(),
          containerfile: z.string().max(1024 * 1024),
          /** The Containerfile's name, for messages. */
          file: z.string().max(4096),
          options: BuildOptions,
          buildId: BuildId,
        })
        .strict()
        .refine((p) => (p.contextId === undefined) !== (p.contextTar === undefined), {
          message: 'exactly one of contextId and contextTar',
        }),
    ),
    result: lazy(() => BuildResult.omit({ output: true })),
    summary:
      'Build from a received context (consumes it) or one sent inline (≤ 1 MiB); progress as build.progress events',
  }),
} as const;

export const buildEvents = {
  /** Steps starting and ending (cache hits marked) and RUN output, per build. */
  'build.progress': BuildProgress,
} as const;

export type BuildOptionsT = z.output<typeof BuildOptions>;
export type BuildResultT = z.output<typeof BuildResult>;
export type BuildStepT = z.output<typeof BuildStep>;
export type BuildProgressT = z.output<typeof BuildProgress>;

/** Error codes of builds: the Containerfile, the context, the steps. */
export const buildErrorCodes = [
  'BUILD_SYNTAX', // a Containerfile line that does not parse (names the line)
  'BUILD_UNKNOWN_INSTRUCTION', // names the line and the word
  'BUILD_STAGE_NOT_FOUND', // --target, COPY --from or FROM naming no stage or image (names the line)
  'BUILD_SOURCE_OUTSIDE_CONTEXT', // a COPY/ADD source that leaves the context (names the line)
  'BUILD_SOURCE_NOT_FOUND', // a COPY/ADD source that matches nothing (names the line)
  'BUILD_RUN_FAILED', // a RUN step exited non-zero (names the line and the code)
  'BUILD_NO_CONTAINERFILE', // neither -f, Containerfile nor Dockerfile
  'BUILD_CONTEXT_NOT_FOUND', // no such context session
  'BUILD_CONTEXT_INVALID', // a context that is not a folder, or a tar that does not read
  'BUILD_PLATFORM_UNSUPPORTED', // --platform other than the helper's own
  'BUILD_BUSY', // too many builds at once
  'BUILD_UNSUPPORTED', // a Containerfile feature this engine does not run: ADD <git URL>, --mount=type=secret|ssh (names the line)
  'BUILD_FETCH_FAILED', // ADD <http(s) URL>: the download failed (names the line, the URL and the status or error)
  'BUILD_CHECKSUM_MISMATCH', // ADD --checksum=sha256:…: the downloaded bytes hash to something else (names the line)
  'BUILD_NETWORK_DISABLED', // ADD <http(s) URL> in a build whose --network is none (names the line and the URL)
] as const;
