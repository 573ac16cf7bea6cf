import { describe, expect, it } from 'vitest';
import { buildRequest, emptyForm, type CreateForm } from './create-form';

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
});
