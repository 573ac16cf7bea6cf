/**
 * One process of ipam.real.test.ts: opens the shared table, says "ready",
 * waits for "go" on stdin (so both processes start together), allocates
 * COUNT addresses for owners PREFIX-0…, and prints them as one JSON line.
 */
import readline from 'node:readline';
import { Ipam } from '../ipam';
import { parseSubnet } from '../subnet';

const [dir, cidr, prefix, count] = process.argv.slice(2);
const ipam = new Ipam(dir!, parseSubnet(cidr!));
process.stdout.write('ready\n');
readline.createInterface({ input: process.stdin }).once('line', () => {
  const got: Record<string, string> = {};
  for (let i = 0; i < Number(count); i++) got[`${prefix}-${i}`] = ipam.allocate(`${prefix}-${i}`);
  process.stdout.write(`${JSON.stringify(got)}\n`);
  process.exit(0);
});
