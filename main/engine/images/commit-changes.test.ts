import { describe, expect, it } from 'vitest';
import type { ContainerConfig } from '../oci/oci-types';
import { applyChange } from './commit-changes';

describe('applyChange (commit -c)', () => {
  it('applies every instruction docker commit takes, in both forms', () => {
    const c: ContainerConfig = { Env: ['PATH=/bin', 'A=1'] };
    applyChange(c, 'CMD ["echo", "hi"]');
    applyChange(c, 'ENTRYPOINT /bin/sh -c true');
    applyChange(c, 'ENV A=2 B="two words"');
    applyChange(c, 'ENV C three');
    applyChange(c, 'LABEL org.x=y');
    applyChange(c, 'EXPOSE 80 53/udp');
    applyChange(c, 'USER 1000:1000');
    applyChange(c, 'WORKDIR /srv');
    applyChange(c, 'VOLUME ["/data"]');
    applyChange(c, 'STOPSIGNAL SIGINT');
    expect(c).toEqual({
      Cmd: ['echo', 'hi'],
      Entrypoint: ['/bin/sh', '-c', '/bin/sh -c true'],
      Env: ['PATH=/bin', 'A=2', 'B=two words', 'C=three'],
      Labels: { 'org.x': 'y' },
      ExposedPorts: { '80/tcp': {}, '53/udp': {} },
      User: '1000:1000',
      WorkingDir: '/srv',
      Volumes: { '/data': {} },
      StopSignal: 'SIGINT',
    });
  });

  it('refuses what commit cannot change, with a stable code', () => {
    for (const bad of ['RUN echo', 'CMD', 'EXPOSE http', 'WORKDIR rel', 'garbage']) {
      expect(() => applyChange({}, bad), bad).toThrow(expect.objectContaining({ code: 'COMMIT_CHANGE_INVALID' }));
    }
  });
});
