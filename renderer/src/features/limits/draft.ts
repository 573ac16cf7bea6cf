/**
 * The editor's draft: what the inputs hold, as text (a number field may hold
 * "1." while the user types), one entry per field of the LIMIT_FIELDS table.
 */
import type { Limits } from '../../../../preload/schemas/resources';
import type { ByteUnit } from '../../ui/units';

export interface BytesField {
  text: string;
  unit: ByteUnit;
}

export interface IoRowDraft {
  major: string;
  minor: string;
  readBps: string;
  writeBps: string;
  readIops: string;
  writeIops: string;
}

export interface RuleDraft {
  allow: boolean;
  type: 'a' | 'c' | 'b';
  major: string;
  minor: string;
  access: string;
}

export interface NetPrioDraft {
  iface: string;
  priority: string;
}

export interface Draft {
  memMax: BytesField;
  memHigh: BytesField;
  memLow: BytesField;
  memSwap: BytesField;
  cpuWeight: string;
  /** N CPUs; '' = no quota. */
  cpus: string;
  cpuset: readonly number[];
  pidsMax: string;
  ioWeight: string;
  ioDevices: readonly IoRowDraft[];
  /** Rules to write, in order (device rules are commands, not a state: the baseline is empty). */
  deviceRules: readonly RuleDraft[];
  netClsClassid: string;
  netPrio: readonly NetPrioDraft[];
}

export type FieldKey = keyof Draft;
/** A section of the `Limits` request (one cgroup controller, roughly). */
export type SectionKey = keyof Limits;
