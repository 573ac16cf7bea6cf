import { describe, expect, it } from 'vitest';
import { OCI_DEFAULT_MASKED_PATHS, OCI_DEFAULT_READONLY_PATHS } from '../../../native/monitor';
import { ContainerCreate } from '../../../preload/schemas/containers';
import { kernelCapabilities } from './capabilities';
import { buildSpec, type SpecInput } from './spec';

const input = (over: Record<string, unknown>, extra: Partial<SpecInput> = {}): SpecInput => ({
  id: 'c1',
  config: ContainerCreate.parse({ image: 'busybox', ...over }),
  process: { args: ['true'], env: [], cwd: '/', user: { uid: 0, gid: 0, additionalGids: [], home: '/root' } },
  hostname: 'h',
  paths: { rootfs: '/r', upperDir: '/u', workDir: '/w', lowerDirs: ['/l'], logPath: '/log' },
  netns: 'new',
  cgroupProcs: [],
  log: { maxBytes: 0, maxFiles: 1 },
  nofile: 1024,
  grantable: kernelCapabilities(40),
  ...extra,
});

describe('buildSpec: security options', () => {
  it('default: docker caps in every set but inheritable/ambient, masked + read-only paths, ro /sys, rw root', () => {
    const s = buildSpec(input({}));
    const c = s.process.capabilities;
    expect(c.bounding).toHaveLength(14);
    expect(c.effective).toEqual(c.bounding);
    expect(c.permitted).toEqual(c.bounding);
    expect(c.inheritable).toEqual([]);
    expect(s.process.noNewPrivileges).toBe(true);
    expect(s.linux.maskedPaths).toEqual(OCI_DEFAULT_MASKED_PATHS);
    expect(s.linux.readonlyPaths).toEqual(OCI_DEFAULT_READONLY_PATHS);
    expect(s.root.readonly).toBeUndefined();
    expect(s.mounts).toEqual([]);
    expect(s.linux.uidMappings).toBeUndefined();
  });

  it('cap-add / cap-drop reach every set', () => {
    const s = buildSpec(input({ security: { capDrop: ['ALL'], capAdd: ['net_admin'] } }));
    expect(s.process.capabilities.bounding).toEqual(['CAP_NET_ADMIN']);
    expect(s.process.capabilities.effective).toEqual(['CAP_NET_ADMIN']);
  });

  it('privileged: all caps, nothing masked or read-only, a writable sysfs mount; still no_new_privs', () => {
    const s = buildSpec(input({ security: { privileged: true }, volumes: [{ source: '/tmp', destination: '/x' }] }));
    expect(s.process.capabilities.bounding).toHaveLength(41);
    expect(s.linux.maskedPaths).toEqual([]);
    expect(s.linux.readonlyPaths).toEqual([]);
    expect(s.mounts?.[0]).toEqual({
      destination: '/sys',
      type: 'sysfs',
      source: 'sysfs',
      options: ['nosuid', 'noexec', 'nodev', 'rw'],
    });
    expect(s.mounts?.[1]?.destination).toBe('/x');
    expect(s.process.noNewPrivileges).toBe(true);
  });

  it('read-only: root readonly, tmpfs on /tmp /var/tmp /run (nosuid,nodev) before the volumes', () => {
    const s = buildSpec(
      input({ security: { readOnlyRootfs: true }, volumes: [{ source: '/srv', destination: '/run/x' }] }),
    );
    expect(s.root).toEqual({ path: '/r', readonly: true });
    expect(s.mounts?.map((m) => m.destination)).toEqual(['/tmp', '/var/tmp', '/run', '/run/x']);
    for (const m of s.mounts!.slice(0, 3)) {
      expect(m.type).toBe('tmpfs');
      expect(m.options).toEqual(expect.arrayContaining(['nosuid', 'nodev']));
    }
    expect(s.mounts?.[0]?.options).toContain('mode=1777');
    expect(s.mounts?.[2]?.options).toContain('mode=755');
  });

  it("userns: the container's own range in uid_map/gid_map; read-only tmpfs owned by its root", () => {
    const idRange = { uid: 2147549184, gid: 2147614720, size: 65536 };
    const s = buildSpec(input({ userns: true, security: { readOnlyRootfs: true } }, { idRange }));
    expect(s.linux.namespaces.map((n) => n.type)).toContain('user');
    expect(s.linux.uidMappings).toEqual([{ containerID: 0, hostID: 2147549184, size: 65536 }]);
    expect(s.linux.gidMappings).toEqual([{ containerID: 0, hostID: 2147614720, size: 65536 }]);
    expect(s.mounts?.[0]?.options).toEqual(expect.arrayContaining(['uid=2147549184', 'gid=2147614720']));
  });

  it('userns without a range is a bug, not a silent shared range', () => {
    expect(() => buildSpec(input({ userns: true }))).toThrow(/id range/);
  });
});

describe('buildSpec: pod members', () => {
  it("join the holder's ipc, uts (and pid when shared) by path and the pod's netns; no hostname of their own", () => {
    const shared = { ipc: '/proc/9/ns/ipc', uts: '/proc/9/ns/uts', pid: '/proc/9/ns/pid' };
    const s = buildSpec(input({}, { netns: { join: '/run/netns/berth-p' }, shared }));
    expect(s.linux.namespaces).toEqual([
      { type: 'pid', path: shared.pid },
      { type: 'mount' },
      { type: 'uts', path: shared.uts },
      { type: 'ipc', path: shared.ipc },
      { type: 'cgroup' },
      { type: 'network', path: '/run/netns/berth-p' },
    ]);
    expect(s.hostname).toBeUndefined();
    const own = buildSpec(input({}, { netns: { join: '/run/netns/berth-p' }, shared: { ...shared, pid: null } }));
    expect(own.linux.namespaces[0]).toEqual({ type: 'pid' });
  });
});

describe('buildSpec: mounts', () => {
  it('volumes, binds and tmpfs as monitor mounts, parents first, after the read-only tmpfs', () => {
    const s = buildSpec(
      input(
        {
          security: { readOnlyRootfs: true },
          volumes: [{ source: '/srv/sub', destination: '/data/sub/deeper' }],
          mounts: [
            { type: 'volume', source: 'pg', target: '/data', readOnly: true },
            { type: 'tmpfs', target: '/scratch', sizeBytes: 1048576, mode: '1770' },
            { type: 'bind', source: '/etc/hosts', target: '/data/hosts' },
          ],
        },
        { volumePaths: { pg: '/var/lib/berth/volumes/pg/_data' } },
      ),
    );
    expect(s.mounts!.map((m) => m.destination)).toEqual([
      '/tmp',
      '/var/tmp',
      '/run',
      '/data',
      '/scratch',
      '/data/hosts',
      '/data/sub/deeper',
    ]);
    const [pg, scratch] = s.mounts!.slice(3);
    expect(pg).toEqual({
      destination: '/data',
      type: 'bind',
      source: '/var/lib/berth/volumes/pg/_data',
      options: ['rbind', 'rprivate', 'ro'],
    });
    expect(scratch).toEqual({
      destination: '/scratch',
      type: 'tmpfs',
      source: 'tmpfs',
      options: ['rw', 'nosuid', 'nodev', 'noexec', 'mode=1770', 'size=1048576'],
    });
  });

  it('a volume without a host path is a programming error, not a silent skip', () => {
    expect(() => buildSpec(input({ mounts: [{ type: 'volume', source: 'pg', target: '/d' }] }))).toThrow(
      /no host path/,
    );
  });
});
