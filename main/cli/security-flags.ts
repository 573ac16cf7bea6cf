/**
 * docker run's privilege flags → `ContainerCreate.security`: --privileged,
 * --cap-add, --cap-drop, --read-only. Names are checked by the helper (the
 * CAPABILITY_UNKNOWN code names the bad one); this only gathers them.
 */
import type { FlagSpec, Parsed } from './args';

export const PRIVILEGE_FLAGS: FlagSpec = {
  privileged: { value: false },
  'cap-add': { value: true, repeat: true },
  'cap-drop': { value: true, repeat: true },
  'read-only': { value: false },
};

export function privilegeRequest(p: Parsed): {
  privileged: boolean;
  capAdd: string[];
  capDrop: string[];
  readOnlyRootfs: boolean;
} {
  return {
    privileged: p.flags.has('privileged'),
    capAdd: p.flags.get('cap-add') ?? [],
    capDrop: p.flags.get('cap-drop') ?? [],
    readOnlyRootfs: p.flags.has('read-only'),
  };
}

/** `berth run --help`: the security part. */
export const PRIVILEGE_HELP = `Security (a default container gets docker's 14 capabilities, masked and
read-only /proc paths, a read-only /sys, and no_new_privs: setuid binaries and
file capabilities never raise privileges; Berth has no flag to turn it off):
  --cap-add CAP        add a capability (NET_ADMIN, cap_sys_time, ALL); repeatable
  --cap-drop CAP       drop a capability (ALL drops every one; --cap-drop ALL
                       --cap-add X leaves only X: drops apply first)
  --privileged         DANGEROUS: every capability, no masked or read-only
                       paths, a writable /sys (and no seccomp, every device)
  --read-only          the root filesystem read-only; tmpfs (nosuid,nodev) on
                       /tmp, /var/tmp and /run
  --userns             a user namespace: root inside is an unprivileged host
                       id of a range of 65536 of the container's own
`;
