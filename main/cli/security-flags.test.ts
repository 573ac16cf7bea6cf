import { describe, expect, it } from 'vitest';
import { ContainerCreate } from '../../preload/schemas/containers';
import { createRequest } from './commands/containers';

describe('berth run privilege flags → security', () => {
  it('gathers --cap-add/--cap-drop (repeatable, = form), --privileged, --read-only', () => {
    const { req } = createRequest([
      '--cap-drop',
      'ALL',
      '--cap-add=net_admin',
      '--cap-add',
      'CAP_SYS_TIME',
      '--read-only',
      '--privileged',
      'busybox',
      'sh',
      '--cap-add',
      'x',
    ]);
    expect(req.security).toEqual({
      privileged: true,
      capAdd: ['net_admin', 'CAP_SYS_TIME'],
      capDrop: ['ALL'],
      readOnlyRootfs: true,
    });
    // Flags after the image belong to the command.
    expect(req.command).toEqual(['sh', '--cap-add', 'x']);
    expect(ContainerCreate.parse(req).security).toMatchObject({ seccomp: 'default', devices: [] });
  });

  it('no flags: the default container', () => {
    const { req } = createRequest(['busybox']);
    expect(ContainerCreate.parse(req).security).toEqual({
      privileged: false,
      capAdd: [],
      capDrop: [],
      seccomp: 'default',
      readOnlyRootfs: false,
      devices: [],
      deviceCgroupRules: [],
    });
  });
});
