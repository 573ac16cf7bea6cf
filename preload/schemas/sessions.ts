/**
 * Interactive sessions: a process exec'd into a running container (docker
 * exec) or an attachment to a container's main process. Bytes travel as
 * base64 in both directions; output arrives as events tagged with the
 * session id, so any transport (IPC, WebSocket, CLI) carries a terminal.
 *
 * A session ends with its client, unless it was opened `reattachable` (a
 * terminal page): then a client that detaches or goes away leaves it waiting
 * for a `sessions.reattach` (same uid) with its recent output kept, and the
 * helper kills it after the idle time (default 10 minutes) with no client.
 */
import { z } from 'zod';
import { lazy } from './lazy';
import { isBase64 } from './base64';
import { method } from './define';
import { ContainerId } from './containers';

const SessionId = lazy(() => z.string().regex(/^[a-f0-9]{16,64}$/, 'a session id'));
const Base64 = lazy(() =>
  z
    .string()
    .max(6 * 1024 * 1024)
    .refine(isBase64, 'base64'),
);

export const sessionMethods = {
  'containers.exec': method({
    where: 'helper',
    params: lazy(() =>
      z
        .object({
          id: ContainerId,
          cmd: z
            .array(z.string().max(128 * 1024))
            .min(1)
            .max(4096),
          tty: z.boolean().default(false),
          env: z
            .array(z.string().regex(/^[^=\0]+=[^\0]*$/))
            .max(4096)
            .default([]),
          user: z.string().max(256).optional(),
          workdir: z.string().startsWith('/').max(4096).optional(),
          cols: z.number().int().min(1).max(1000).default(80),
          rows: z.number().int().min(1).max(1000).default(24),
          /** Outlive a detach or a closed connection for the helper's idle time (terminal pages). */
          reattachable: z.boolean().default(false),
        })
        .strict(),
    ),
    result: lazy(() => z.object({ sessionId: z.string(), pid: z.number().int().nullable() })),
    summary: 'Run a process inside a running container (its namespaces, cgroups, user and capability rules)',
  }),
  'containers.attach': method({
    where: 'helper',
    params: lazy(() => z.object({ id: ContainerId }).strict()),
    result: lazy(() => z.object({ sessionId: z.string(), tty: z.boolean() })),
    summary: "Attach to a container's main process (stdin/out, pty)",
  }),
  'sessions.reattach': method({
    where: 'helper',
    params: lazy(() => z.object({ sessionId: SessionId }).strict()),
    result: lazy(() =>
      z.object({
        sessionId: z.string(),
        containerId: z.string(),
        kind: z.enum(['exec', 'attach']),
        pid: z.number().int().nullable(),
        tty: z.boolean(),
        /** Recent output (base64), bounded by the helper. */
        scrollback: z.string(),
        /** Offset just past the scrollback: output events below it are already in it. */
        offset: z.number().int().nonnegative(),
      }),
    ),
    summary: 'Attach again to a reattachable session (same uid): its recent output and the pid it had',
  }),
  'sessions.detach': method({
    where: 'helper',
    params: lazy(() => z.object({ sessionId: SessionId }).strict()),
    result: lazy(() => z.object({})),
    summary: 'Let go of a session without ending it; with no client left it waits for the idle time, then is killed',
  }),
  'sessions.write': method({
    where: 'helper',
    params: lazy(() => z.object({ sessionId: SessionId, data: Base64 }).strict()),
    result: lazy(() => z.object({ written: z.number().int() })),
    summary: "Write to a session's stdin",
  }),
  'sessions.resize': method({
    where: 'helper',
    params: lazy(() =>
      z
        .object({
          sessionId: SessionId,
          cols: z.number().int().min(1).max(1000),
          rows: z.number().int().min(1).max(1000),
        })
        .strict(),
    ),
    result: lazy(() => z.object({})),
    summary: "Resize a session's pty",
  }),
  'sessions.close': method({
    where: 'helper',
    params: lazy(() => z.object({ sessionId: SessionId, kill: z.boolean().default(false) }).strict()),
    result: lazy(() => z.object({})),
    summary: 'Close stdin (or kill an exec session)',
  }),
} as const;

export const sessionEvents = {
  'sessions.output': lazy(() =>
    z.object({
      sessionId: z.string(),
      stream: z.enum(['stdout', 'stderr']),
      data: z.string(),
      /** Byte offset of this chunk in the session's output (for a reattach's dedup). */
      offset: z.number().int().nonnegative().optional(),
    }),
  ),
  'sessions.exit': lazy(() =>
    z.object({
      sessionId: z.string(),
      exitCode: z.number().int().nullable(),
      error: z.string().optional(),
    }),
  ),
} as const;

/** Error codes of exec and attach sessions. */
export const sessionErrorCodes = [
  'SESSION_NOT_FOUND',
  'SESSION_NOT_OWNER', // another uid opened it
  'SESSION_NOT_REATTACHABLE',
  'SESSION_LIMIT',
  'ATTACH_FAILED',
] as const;
