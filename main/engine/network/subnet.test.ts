import { describe, expect, it } from 'vitest';
import { contains, hostRange, intToIp, ipToInt, parseSubnet } from './subnet';
import { guardRules, hasGuard, nftRuleset } from './bridge';
import { parseNetDev } from './sandbox';

describe('subnets', () => {
  it('parses a CIDR and derives the gateway and host range', () => {
    const s = parseSubnet('10.89.0.0/24');
    expect(s.gateway).toBe('10.89.0.1');
    const r = hostRange(s);
    expect([intToIp(r.first), intToIp(r.last)]).toEqual(['10.89.0.2', '10.89.0.254']);
    expect(contains(s, '10.89.0.77')).toBe(true);
    expect(contains(s, '10.89.1.1')).toBe(false);
    expect(ipToInt('255.255.255.255')).toBe(4294967295);
  });
  it('refuses bad input with stable codes', () => {
    expect(() => parseSubnet('10.89.0.1/24')).toThrow(/host bits/);
    expect(() => parseSubnet('10.89.0.0/31')).toThrow(expect.objectContaining({ code: 'NET_BAD_SUBNET' }));
    expect(() => parseSubnet('nonsense')).toThrow(expect.objectContaining({ code: 'NET_BAD_SUBNET' }));
    expect(() => ipToInt('300.1.1.1')).toThrow(expect.objectContaining({ code: 'NET_BAD_ADDRESS' }));
  });
});

describe('kernel formats', () => {
  it('the nft ruleset masquerades the subnet and maps published ports', () => {
    const r = nftRuleset({ name: 'berth0', subnet: parseSubnet('10.89.0.0/24'), table: 'berth' });
    expect(r).toContain('ip saddr 10.89.0.0/24 oifname != "berth0" masquerade');
    expect(r).toContain('dnat ip to meta l4proto . th dport map @ports');
  });
  it('the ruleset guards host loopback from the bridge (CVE-2020-8558)', () => {
    const c = { name: 'berth0', subnet: parseSubnet('10.89.0.0/24'), table: 'berth' };
    const r = nftRuleset(c);
    expect(r).toContain('chain guard_loopback {\n    type filter hook input priority filter; policy accept;');
    expect(guardRules(c)).toEqual([
      'iifname "berth0" ip daddr 127.0.0.0/8 ct status ! dnat drop',
      'iifname "berth0" ip saddr 127.0.0.0/8 drop',
    ]);
    expect(hasGuard(r, c)).toBe(true);
    expect(hasGuard(r.replace(/.*ct status ! dnat drop\n/, ''), c)).toBe(false);
    expect(hasGuard(r, { ...c, name: 'other0' })).toBe(false);
  });
  it('parses /proc/net/dev', () => {
    const text = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:     100       1    0    0    0     0          0         0      100       1    0    0    0     0       0          0
  eth0:    5000      40    0    0    0     0          0         0     3000      30    0    0    0     0       0          0
`;
    expect(parseNetDev(text)).toEqual([{ name: 'eth0', rxBytes: 5000, rxPackets: 40, txBytes: 3000, txPackets: 30 }]);
  });
});
