import { describe, expect, it } from 'vitest';
import { checkSubnet, parseRoutes, pickSubnet, routesTaken } from './pool';
import { parseSubnet } from './subnet';

const ROUTES = `Iface	Destination	Gateway 	Flags	RefCnt	Use	Metric	Mask		MTU	Window	IRTT
eth0	00000000	010200C0	0003	0	0	0	00000000	0	0	0
berth0	0000590A	00000000	0001	0	0	0	00FFFFFF	0	0	0
eth0	000200C0	00000000	0001	0	0	0	00FFFFFF	0	0	0
wg0	0002590A	00000000	0001	0	0	0	00FEFFFF	0	0	0
`;

describe('subnet pool', () => {
  it('reads /proc/net/route without the default route', () => {
    expect(parseRoutes(ROUTES).map((r) => `${r.dev} ${r.subnet.cidr}`)).toEqual([
      'berth0 10.89.0.0/24',
      'eth0 192.0.2.0/24',
      'wg0 10.89.2.0/23',
    ]);
  });

  it('picks the first /24 that no route and no network holds', () => {
    const taken = routesTaken(parseRoutes(ROUTES));
    expect(pickSubnet(taken).cidr).toBe('10.89.1.0/24');
    const more = [...taken, { owner: 'net a', subnet: parseSubnet('10.89.1.0/24') }];
    expect(pickSubnet(more).cidr).toBe('10.89.4.0/24'); // 2 and 3 are wg0's /23
  });

  it('refuses an explicit subnet that overlaps, naming what it overlaps', () => {
    const taken = routesTaken(parseRoutes(ROUTES));
    expect(() => checkSubnet('10.89.3.128/25', taken)).toThrow(
      expect.objectContaining({
        code: 'NETWORK_SUBNET_OVERLAP',
        details: expect.objectContaining({ owner: 'route via wg0' }),
      }),
    );
    expect(checkSubnet('172.30.0.0/16', taken).gateway).toBe('172.30.0.1');
    expect(() => checkSubnet('10.0.0.1/24', taken)).toThrow(expect.objectContaining({ code: 'NET_BAD_SUBNET' }));
  });

  it('says the pool is exhausted', () => {
    expect(() => pickSubnet([{ owner: 'x', subnet: parseSubnet('10.89.0.0/16') }])).toThrow(
      expect.objectContaining({ code: 'NETWORK_POOL_EXHAUSTED' }),
    );
  });
});
