import { describe, expect, it } from 'vitest';
import { parseHelperArgs } from './args';

describe('helper arguments', () => {
  it('takes the owner from PKEXEC_UID and refuses overrides through pkexec', () => {
    expect(parseHelperArgs([], { PKEXEC_UID: '1000' })).toMatchObject({
      ownerUid: 1000,
      startedVia: 'pkexec',
      runDir: '/run/berth',
    });
    expect(() => parseHelperArgs(['--run-dir', '/tmp/x'], { PKEXEC_UID: '1000' })).toThrow(
      /not accepted through pkexec/,
    );
    expect(() => parseHelperArgs(['--owner-uid', '0'], { PKEXEC_UID: '1000' })).toThrow(/pkexec/);
  });
  it('accepts root overrides when started directly', () => {
    expect(
      parseHelperArgs(['--run-dir', '/tmp/r', '--owner-uid', '7', '--socket-group', '9', '--foreground'], {}),
    ).toMatchObject({
      runDir: '/tmp/r',
      ownerUid: 7,
      socketGroup: 9,
      foreground: true,
      startedVia: 'direct',
    });
  });
  it('refuses relative paths, bad numbers and unknown flags', () => {
    expect(() => parseHelperArgs(['--run-dir', 'rel'], {})).toThrow(/absolute/);
    expect(() => parseHelperArgs(['--owner-uid', '-1'], {})).toThrow(/integer/);
    expect(() => parseHelperArgs(['--bogus', 'x'], {})).toThrow(/unknown/);
  });
  it('session and archive settings as flags (refused through pkexec: the config file is for that)', () => {
    expect(
      parseHelperArgs(
        [
          '--session-idle-timeout',
          '1.5',
          '--session-scrollback',
          '4096',
          '--archive-max-metadata',
          '1048576',
          '--archive-max-layer',
          '10',
          '--archive-max-image',
          '20',
          '--min-free-space',
          '0',
          '--config',
          '/tmp/h.json',
        ],
        {},
      ),
    ).toMatchObject({
      configFile: '/tmp/h.json',
      overrides: {
        sessionIdleSeconds: 1.5,
        sessionScrollbackBytes: 4096,
        archive: { metadataBytes: 1048576, layerBytes: 10, imageBytes: 20, minFreeBytes: 0 },
      },
    });
    expect(parseHelperArgs([], {}).configFile).toBe('/etc/berth/helper.json');
    expect(() => parseHelperArgs(['--session-idle-timeout', '0'], {})).toThrow(/positive/);
    expect(() => parseHelperArgs(['--archive-max-layer', '1e9'], {})).toThrow(/integer/);
    expect(() => parseHelperArgs(['--session-idle-timeout', '5'], { PKEXEC_UID: '1000' })).toThrow(/pkexec/);
  });
});
