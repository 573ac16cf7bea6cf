/**
 * Interactive sessions: a process exec'd into a running container (docker
 * exec) or an attachment to a container's main process. Bytes travel as
 * base64 in both directions; output arrives as events tagged with the
 * session id, so any transport (IPC, WebSocket, CLI) carries a terminal.
 */
import { z } from 'zod';
import { isBase64 } from './base64';
import { method } from './define';
import { ContainerId } from './containers';

const SessionId = z.string().regex(/^[a-f0-9]{16,64}$/, 'a session id');
const Base64 = z
  .string()
  .max(6 * 1024 * 1024)
  .refine(isBase64, 'base64');

export const sessionMethods = {
  'containers.exec': method({
    where: 'helper',
    params: z
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
      })
      .strict(),
    result: z.object({ sessionId: z.string(), pid: z.number().int().nullable() }),
    summary: 'Run a process inside a running container (its namespaces, cgroups, user and capability rules)',
  }),
  'containers.attach': method({
    where: 'helper',
    params: z.object({ id: ContainerId }).strict(),
    result: z.object({ sessionId: z.string(), tty: z.boolean() }),
    summary: "Attach to a container's main process (stdin/out, pty)",
  }),
  'sessions.write': method({
    where: 'helper',
    params: z.object({ sessionId: SessionId, data: Base64 }).strict(),
    result: z.object({ written: z.number().int() }),
    summary: "Write to a session's stdin",
  }),
  'sessions.resize': method({
    where: 'helper',
    params: z
      .object({
        sessionId: SessionId,
        cols: z.number().int().min(1).max(1000),
        rows: z.number().int().min(1).max(1000),
      })
      .strict(),
    result: z.object({}),
    summary: "Resize a session's pty",
  }),
  'sessions.close': method({
    where: 'helper',
    params: z.object({ sessionId: SessionId, kill: z.boolean().default(false) }).strict(),
    result: z.object({}),
    summary: 'Close stdin (or kill an exec session)',
  }),
} as const;

export const sessionEvents = {
  'sessions.output': z.object({ sessionId: z.string(), stream: z.enum(['stdout', 'stderr']), data: z.string() }),
  'sessions.exit': z.object({
    sessionId: z.string(),
    exitCode: z.number().int().nullable(),
    error: z.string().optional(),
  }),
} as const;
