import { describe, expect, it } from 'vitest';
import { PodCreate } from '../../../preload/schemas/pods';
import { podCreateRequest } from './pods';

describe('berth pod create flags', () => {
  it('become a pods.create request the contract takes', () => {
    const req = podCreateRequest([
      '--name',
      'shop',
      '--share',
      'net,ipc,uts,pid',
      '-p',
      '8080:80',
      '-p',
      '53:53/udp',
      '-m',
      '256m',
      '--cpus',
      '1.5',
      '--cpu-shares',
      '512',
      '--pids-limit',
      '100',
      '-l',
      'tier=web',
    ]);
    expect(PodCreate.parse(req)).toEqual({
      name: 'shop',
      share: ['net', 'ipc', 'uts', 'pid'],
      network: 'bridge',
      ports: [
        { hostPort: 8080, containerPort: 80, protocol: 'tcp' },
        { hostPort: 53, containerPort: 53, protocol: 'udp' },
      ],
      labels: { tier: 'web' },
      resources: { memory: { max: 256 * 2 ** 20 }, cpu: { cpus: 1.5, weight: 20 }, pids: { max: 100 } },
    });
  });

  it('refuses what it cannot read, and the contract refuses a pod without net, ipc and uts', () => {
    expect(() => podCreateRequest(['-p', '80'])).toThrow(/invalid port/);
    expect(() => podCreateRequest(['--cpus', 'many'])).toThrow(/--cpus/);
    expect(() => podCreateRequest(['extra'])).toThrow(/pod create/);
    expect(PodCreate.safeParse(podCreateRequest(['--share', 'ipc,uts'])).success).toBe(false);
  });
});
