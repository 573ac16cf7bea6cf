import { describe, expect, it } from 'vitest';
import { capabilityDelta, idRangeText } from './SecurityCard';

describe('Security card text', () => {
  it('names how the set differs from the default', () => {
    const def = [
      'CAP_CHOWN',
      'CAP_DAC_OVERRIDE',
      'CAP_FOWNER',
      'CAP_FSETID',
      'CAP_KILL',
      'CAP_SETGID',
      'CAP_SETUID',
      'CAP_SETPCAP',
      'CAP_NET_BIND_SERVICE',
      'CAP_NET_RAW',
      'CAP_SYS_CHROOT',
      'CAP_MKNOD',
      'CAP_AUDIT_WRITE',
      'CAP_SETFCAP',
    ];
    expect(capabilityDelta(def)).toBe('the default set');
    expect(capabilityDelta([...def.filter((c) => c !== 'CAP_MKNOD'), 'CAP_NET_ADMIN'])).toBe(
      '+CAP_NET_ADMIN −CAP_MKNOD',
    );
    expect(capabilityDelta([])).toMatch(/^−CAP_CHOWN .*−CAP_SETFCAP$/);
  });

  it('shows a range as inclusive bounds', () => {
    expect(idRangeText(2147483648, 65536)).toBe('container 0–65535 ↔ host 2147483648–2147549183');
  });
});
