import { describe, expect, it } from 'vitest';
import { buildRequest, emptyForm, securitySummary, type CreateForm } from './create-form';

const form = (over: Partial<CreateForm>): CreateForm => ({ ...emptyForm('busybox:latest'), ...over });

describe('buildRequest', () => {
  it('builds the e2e request: quoted command, network none', () => {
    const r = buildRequest(
      form({ name: 'web-1', command: 'sh -c "echo hello-from-berth; sleep 600"', network: 'none' }),
    );
    expect(r).toMatchObject({
      ok: true,
      request: {
        image: 'busybox:latest',
        name: 'web-1',
        command: ['sh', '-c', 'echo hello-from-berth; sleep 600'],
        network: 'none',
        ports: [],
        restart: { name: 'no', maxRetries: 0 },
        resources: {},
      },
    });
  });

  it('puts schema messages on the field (and row) they are about', () => {
    const r = buildRequest(
      form({
        image: '',
        name: 'bad name!',
        env: [
          { key: 'OK', value: '1' },
          { key: '', value: '' },
          { key: '', value: 'x' },
        ],
        volumes: [{ source: 'relative', destination: '/data', readOnly: false }],
        cpuset: '3-1',
        memoryMiB: '-1',
      }),
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(Object.keys(r.errors).sort()).toEqual(['cpuset', 'env.2', 'image', 'memoryMiB', 'name', 'volumes.0.source']);
    expect(r.errors['volumes.0.source']).toBe('host paths must be absolute');
    expect(r.errors['name']).toBe('letters, digits, _ . - (docker rules)');
  });

  it('mounts: named, anonymous and tmpfs volumes; a bad name or target lands on its row', () => {
    const blank = { type: 'volume' as const, source: '', target: '', readOnly: false, sizeMiB: '' };
    const ok = buildRequest(
      form({
        mounts: [
          { ...blank, type: 'volume', source: 'pgdata', target: '/var/lib/pg', readOnly: true },
          { ...blank },
          { ...blank, type: 'volume', target: '/cache' },
          { ...blank, type: 'tmpfs', target: '/scratch', sizeMiB: '16' },
        ],
      }),
    );
    expect(ok).toMatchObject({
      ok: true,
      request: {
        mounts: [
          { type: 'volume', source: 'pgdata', target: '/var/lib/pg', readOnly: true, noCopy: false },
          { type: 'volume', source: '', target: '/cache' },
          { type: 'tmpfs', target: '/scratch', sizeBytes: 16 * 1024 * 1024 },
        ],
      },
    });
    const bad = buildRequest(
      form({
        mounts: [
          { ...blank, type: 'volume', source: '../etc', target: '/x' },
          { ...blank, type: 'bind', source: '/srv', target: 'relative' },
        ],
      }),
    );
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.errors['mounts.0.source']).toMatch(/a volume name/);
    expect(bad.errors['mounts.1.target']).toBe('container paths must be absolute');
  });

  it('converts limits to the contract units', () => {
    const r = buildRequest(form({ memoryMiB: '64', cpus: '0.5', cpuset: '0', pidsMax: '100' }));
    expect(r).toMatchObject({
      ok: true,
      request: {
        resources: { memory: { max: 64 * 1024 * 1024 }, cpu: { cpus: 0.5, cpusetCpus: '0' }, pids: { max: 100 } },
      },
    });
  });

  it('only sends ports on the bridge network, and checks they are numbers', () => {
    const ports = [{ hostPort: '8080', containerPort: '80', protocol: 'tcp' as const }];
    expect(buildRequest(form({ network: 'host', ports }))).toMatchObject({ ok: true, request: { ports: [] } });
    expect(buildRequest(form({ ports }))).toMatchObject({
      ok: true,
      request: { ports: [{ hostPort: 8080, containerPort: 80, protocol: 'tcp' }] },
    });
    const bad = buildRequest(form({ ports: [{ hostPort: 'x', containerPort: '70000', protocol: 'udp' }] }));
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(Object.keys(bad.errors).sort()).toEqual(['ports.0.containerPort', 'ports.0.hostPort']);
  });

  it('reports an unterminated quote and on-failure retries', () => {
    const r = buildRequest(form({ command: 'sh -c "oops', restart: 'on-failure', maxRetries: '1.5' }));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(Object.keys(r.errors).sort()).toEqual(['command', 'maxRetries']);
    expect(buildRequest(form({ restart: 'on-failure', maxRetries: '3' }))).toMatchObject({
      ok: true,
      request: { restart: { name: 'on-failure', maxRetries: 3 } },
    });
  });

  it('a default form sends the default security (nothing relaxed)', () => {
    const r = buildRequest(form({}));
    expect(r).toMatchObject({
      ok: true,
      request: {
        userns: false,
        security: {
          privileged: false,
          capAdd: [],
          capDrop: [],
          seccomp: 'default',
          readOnlyRootfs: false,
          devices: [],
          deviceCgroupRules: [],
        },
      },
    });
    expect(securitySummary(form({}))).toEqual({ relaxations: [], hardening: [] });
  });

  it('maps the Security section to security.* and userns', () => {
    const f = form({
      privileged: false,
      capAdd: ['CAP_NET_ADMIN'],
      capDrop: ['ALL'],
      seccomp: 'unconfined',
      readOnlyRootfs: true,
      devices: [
        { hostPath: '/dev/fuse', containerPath: '', permissions: '' },
        { hostPath: '', containerPath: '', permissions: '' },
        { hostPath: '/dev/net/tun', containerPath: '/dev/tun0', permissions: 'rw' },
      ],
      deviceCgroupRules: [{ rule: 'c 10:229 rwm' }, { rule: '  ' }],
      userns: true,
    });
    expect(buildRequest(f)).toMatchObject({
      ok: true,
      request: {
        userns: true,
        security: {
          privileged: false,
          capAdd: ['CAP_NET_ADMIN'],
          capDrop: ['ALL'],
          seccomp: 'unconfined',
          readOnlyRootfs: true,
          devices: [
            { hostPath: '/dev/fuse', containerPath: '/dev/fuse', permissions: 'rwm' },
            { hostPath: '/dev/net/tun', containerPath: '/dev/tun0', permissions: 'rw' },
          ],
          deviceCgroupRules: ['c 10:229 rwm'],
        },
      },
    });
    expect(securitySummary(f)).toEqual({
      relaxations: [
        'adds CAP_NET_ADMIN',
        'seccomp off: every system call allowed',
        'device /dev/fuse (rwm)',
        'device /dev/net/tun (rw)',
        'device rule c 10:229 rwm',
      ],
      hardening: [
        'drops every capability',
        'read-only root filesystem',
        'user namespace: root inside is an unprivileged host id',
      ],
    });
  });

  it('privileged reads as one relaxation that names what it turns off', () => {
    const f = form({ privileged: true, capDrop: ['CAP_CHOWN'] });
    expect(buildRequest(f)).toMatchObject({ ok: true, request: { security: { privileged: true } } });
    const s = securitySummary(f);
    expect(s.relaxations).toHaveLength(1);
    expect(s.relaxations[0]).toMatch(/every capability.*no seccomp.*every device.*masked.*writable \/sys/);
    expect(s.hardening).toEqual([]);
  });

  it('a seccomp profile file is sent as its text; a missing or non-JSON file is an error on the field', () => {
    const text = '{"defaultAction":"SCMP_ACT_ALLOW"}';
    expect(buildRequest(form({ seccomp: 'profile', seccompProfile: { name: 'p.json', text } }))).toMatchObject({
      ok: true,
      request: { security: { seccomp: { profile: text } } },
    });
    const none = buildRequest(form({ seccomp: 'profile', seccompProfile: null }));
    expect(none.ok).toBe(false);
    if (!none.ok) expect(none.errors.seccomp).toMatch(/choose a profile file/);
    const bad = buildRequest(form({ seccomp: 'profile', seccompProfile: { name: 'p.json', text: '{oops' } }));
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.errors.seccomp).toMatch(/p\.json is not JSON/);
    expect(securitySummary(form({ seccomp: 'profile', seccompProfile: { name: 'p.json', text } })).relaxations).toEqual(
      ['seccomp profile p.json instead of the default'],
    );
  });

  it('puts device and rule schema messages on their rows, capability ones on the picker', () => {
    const r = buildRequest(
      form({
        devices: [
          { hostPath: '', containerPath: '', permissions: '' },
          { hostPath: 'dev/fuse', containerPath: '', permissions: 'rwx' },
        ],
        deviceCgroupRules: [{ rule: '' }, { rule: 'x 1:3 rwm' }],
        capAdd: ['NOT A CAP'],
      }),
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(Object.keys(r.errors).sort()).toEqual([
      'capAdd',
      'deviceCgroupRules.1',
      'devices.1.containerPath',
      'devices.1.hostPath',
      'devices.1.permissions',
    ]);
  });
});
