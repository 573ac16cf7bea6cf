/**
 * cgroup v2 device policy: the rule list compiled (device-filter.ts) and
 * attached to the group's unified directory as a BPF_PROG_TYPE_CGROUP_DEVICE
 * program named berth_devices, through the native addon (helper only). An
 * update attaches the new program, then detaches the old one. The read-back is
 * BPF_PROG_QUERY on the group: the ids attached there and their tags, which
 * are compared with the tag of the instructions we compiled (the kernel hashes
 * them: SHA-256 since 6.x, SHA-1 before; the first 8 bytes), so "in force"
 * means the kernel holds exactly this program.
 */
import crypto from 'node:crypto';
import type { DeviceRule } from '../../../../preload/schemas/resources';
import { cgroupDeviceAttach, cgroupDevicePrograms, type AttachedDeviceProgram } from '../../../../native/index';
import { cgroupError, errMessage, sysCode } from '../errors';
import { compileDeviceFilter, encodeInsns } from './device-filter';

export interface V2DeviceApplied {
  group: string;
  programId: number;
  replaced: number[];
  insnCount: number;
}

export interface V2DeviceReadback {
  group: string;
  programs: AttachedDeviceProgram[];
  /** Tags the compiled program has (SHA-256 and SHA-1 variants). */
  expectedTags: string[];
  insnCount: number;
  /** Exactly one Berth program is attached and its tag is ours. */
  inForce: boolean;
}

function tags(insns: Buffer): string[] {
  return ['sha256', 'sha1'].map((h) => crypto.createHash(h).update(insns).digest('hex').slice(0, 16));
}

export function apply(groupDir: string, rules: readonly DeviceRule[]): V2DeviceApplied {
  const insns = encodeInsns(compileDeviceFilter(rules));
  try {
    const r = cgroupDeviceAttach(groupDir, insns);
    return { group: groupDir, programId: r.id, replaced: r.replaced, insnCount: insns.length / 8 };
  } catch (err) {
    throw cgroupError('CGROUP_DEVICE_POLICY_FAILED', `device program for ${groupDir}: ${errMessage(err)}`, {
      file: groupDir,
      errno: sysCode(err),
    });
  }
}

export function read(groupDir: string, rules: readonly DeviceRule[]): V2DeviceReadback {
  const insns = encodeInsns(compileDeviceFilter(rules));
  const expectedTags = tags(insns);
  const programs = cgroupDevicePrograms(groupDir);
  const ours = programs.filter((p) => p.berth);
  return {
    group: groupDir,
    programs,
    expectedTags,
    insnCount: insns.length / 8,
    inForce: ours.length === 1 && expectedTags.includes(ours[0]!.tag),
  };
}
