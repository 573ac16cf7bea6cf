import { describe, expect, it } from 'vitest';
import { macForIp } from './attach';

describe('macForIp', () => {
  it("derives the container end's MAC from its address (docker's 02:42 rule), the same each time", () => {
    expect(macForIp('10.89.1.2')).toBe('02:42:0a:59:01:02');
    expect(macForIp('172.17.0.255')).toBe('02:42:ac:11:00:ff');
    expect(macForIp('10.89.1.2')).toBe(macForIp('10.89.1.2'));
  });
  it.each(['10.89.1', '10.89.1.256', 'x.1.2.3', ''])('refuses %j', (ip) => expect(() => macForIp(ip)).toThrow());
});
