/**
 * Schemas of the files berth-monitor writes into a container's state dir
 * (native/monitor.ts has their types). Read through record-file.ts: a torn,
 * empty or foreign file counts as missing, since they describe only this
 * boot's processes and boot adoption repairs what it cannot read.
 */
import { z } from 'zod';
import type { MonitorError, MonitorExit, MonitorState } from '../../../native/monitor';

export const MonitorErrorSchema = z.object({
  step: z.string(),
  errno: z.number().int(),
  errnoName: z.string(),
  message: z.string(),
}) satisfies z.ZodType<MonitorError>;

const pid = z.number().int().positive();

const Running = z.object({
  status: z.literal('running'),
  pid,
  pidStartTime: z.number().min(0),
  monitorPid: pid,
  startedAt: z.string(),
});

export const MonitorExitSchema = z.object({
  exitCode: z.number().int(),
  signal: z.string().nullable(),
  coreDumped: z.literal(true).optional(),
  finishedAt: z.string(),
}) satisfies z.ZodType<MonitorExit>;

export const MonitorStateSchema = z.discriminatedUnion('status', [
  Running,
  Running.extend({ status: z.literal('exited') }).extend(MonitorExitSchema.shape),
  z.object({ status: z.literal('failed'), monitorPid: pid, error: MonitorErrorSchema, failedAt: z.string() }),
]) satisfies z.ZodType<MonitorState>;
