import { describe, expect, it } from 'vitest';
import { parseKernelRelease } from './initial';
import {
  isPidName,
  nsLinkType,
  parseNSpid,
  parseNsIno,
  parseNsfsMounts,
  parseStat,
  parseStatus,
  unescapeMountField,
  unescapeStatusName,
} from './procfs';

const b = (s: string): [Buffer, number] => {
  const buf = Buffer.from(s);
  return [buf, buf.length];
};

describe('namespace links', () => {
  it('reads the inode of type:[ino]', () => {
    expect(parseNsIno('net:[4026531840]')).toBe(4026531840);
    expect(parseNsIno('pid:[4026531836]')).toBe(4026531836);
    expect(parseNsIno('cgroup:[1]')).toBe(1);
  });
  it('refuses what is not a namespace link', () => {
    for (const s of ['', 'net', 'net:[]', 'net:[12a]', 'net:[12', '/dev/null', ':[12]']) expect(parseNsIno(s)).toBe(-1);
  });
  it('tells namespace fds from sockets, pipes and paths', () => {
    expect(nsLinkType('net:[4026532001]')).toBe('net');
    expect(nsLinkType('time:[4026531834]')).toBe('time');
    expect(nsLinkType('socket:[12345]')).toBeNull();
    expect(nsLinkType('pipe:[12345]')).toBeNull();
    expect(nsLinkType('anon_inode:[eventfd]')).toBeNull();
    expect(nsLinkType('/proc/1/ns/net')).toBeNull();
    expect(nsLinkType('netx:[1]')).toBeNull();
  });
  it('takes only pid directories from /proc', () => {
    expect(['1', '42', 'self', 'thread-self', 'sys', '0'].filter(isPidName)).toEqual(['1', '42']);
  });
});

describe('/proc/PID/status', () => {
  const STATUS = [
    'Name:\tweird\\nname\\\\x',
    'Umask:\t0022',
    'State:\tS (sleeping)',
    'Tgid:\t31337',
    'Pid:\t31337',
    'PPid:\t31330',
    'Groups:\t0 1 2',
    'NStgid:\t31337\t1',
    'NSpid:\t31337\t1',
    'NSpgid:\t31337\t1',
    'VmRSS:\t  1024 kB',
    'Threads:\t3',
    'SigQ:\t0/1',
    '',
  ].join('\n');

  it('gives Name (unescaped), Threads and NSpid', () => {
    expect(parseStatus(...b(STATUS))).toEqual({
      comm: 'weird\nname\\x',
      threads: 3,
      nspid: [31337, 1],
      kthread: false,
    });
  });
  it('NSpid of a process in the reader’s own pid namespace has one entry', () => {
    expect(parseNSpid(...b('Name:\tx\nNSpid:\t42\nThreads:\t1\n'))).toEqual([42]);
  });
  it('NSpid three levels deep', () => {
    expect(parseNSpid(...b('Name:\tx\nNSpid:\t9000\t300\t1\n'))).toEqual([9000, 300, 1]);
  });
  it('ignores NSpid-looking text that does not start a line, and a cut-off line', () => {
    expect(parseNSpid(...b('Name:\tNSpid:\t5\nThreads:\t1\n'))).toBeNull();
    const [buf] = b('Name:\tx\nNSpid:\t42\t7\n');
    expect(parseNSpid(buf, buf.indexOf('\t7'))).toBeNull();
  });
  it('null NSpid on kernels without it (before 4.1)', () => {
    expect(parseStatus(...b('Name:\tx\nPid:\t5\nThreads:\t1\n'))).toEqual({
      comm: 'x',
      threads: 1,
      nspid: null,
      kthread: false,
    });
  });
  it('Kthread: 1 (Linux 6.0+) marks a kernel thread', () => {
    expect(parseStatus(...b('Name:\tkworker/0:1\nNSpid:\t9\nKthread:\t1\nThreads:\t1\n'))?.kthread).toBe(true);
  });
  it('null when Threads is beyond what was read', () => {
    const [buf] = b(STATUS);
    expect(parseStatus(buf, buf.indexOf('Threads:'))).toBeNull();
  });
  it('unescapes only newline and backslash', () => {
    expect(unescapeStatusName('a\\nb')).toBe('a\nb');
    expect(unescapeStatusName('a\\\\nb')).toBe('a\\nb');
    expect(unescapeStatusName('kworker/0:1-events')).toBe('kworker/0:1-events');
  });
});

describe('/proc/PID/stat', () => {
  it('comm may hold spaces and parentheses; num_threads is field 20', () => {
    const line =
      '4242 (a) b (c)) S 1 4242 4242 0 -1 4194560 100 0 0 0 5 3 0 0 20 0 7 0 12345 1000 10 18446744073709551615\n';
    expect(parseStat(...b(line))).toEqual({ comm: 'a) b (c)', threads: 7, nspid: null, kthread: false });
  });
  it('a kernel thread', () => {
    const line = '2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 0 0 0 20 0 1 0 3 0 0 18446744073709551615 0 0 0\n';
    // flags 2129984 = 0x208040: PF_KTHREAD (0x200000) is set
    expect(parseStat(...b(line))).toEqual({ comm: 'kthreadd', threads: 1, nspid: null, kthread: true });
  });
  it('null on garbage or a line cut before num_threads', () => {
    expect(parseStat(...b('garbage'))).toBeNull();
    expect(parseStat(...b('1 (x) S 0 0 0'))).toBeNull();
  });
});

describe('mountinfo nsfs mounts', () => {
  const MOUNTINFO = [
    '21 26 0:20 / /proc rw,relatime - proc proc rw',
    '111 26 0:4 net:[4026532389] /run/netns/blue rw - nsfs nsfs rw',
    '112 26 0:4 mnt:[4026532400] /run/with\\040space rw shared:5 - nsfs nsfs rw',
    '113 26 0:30 / /srv/nsfs-not - ext4 /dev/sda1 rw',
    '114 26 0:4 user:[4026532500] /tmp/u rw master:1 - nsfs nsfs rw',
  ].join('\n');

  it('finds bind-mounted namespace files with their type, inode and path', () => {
    expect(parseNsfsMounts(MOUNTINFO)).toEqual([
      { type: 'net', ino: 4026532389, path: '/run/netns/blue' },
      { type: 'mnt', ino: 4026532400, path: '/run/with space' },
      { type: 'user', ino: 4026532500, path: '/tmp/u' },
    ]);
  });
  it('nothing in a table without nsfs', () => {
    expect(parseNsfsMounts('21 26 0:20 / /proc rw,relatime - proc proc rw\n')).toEqual([]);
  });
  it('octal escapes', () => {
    expect(unescapeMountField('/a\\011b\\012c\\134d')).toBe('/a\tb\nc\\d');
  });
});

describe('kernel release', () => {
  it('major.minor', () => {
    expect(parseKernelRelease('6.18.44-fc-v782')).toEqual([6, 18]);
    expect(parseKernelRelease('5.10.0-28-amd64')).toEqual([5, 10]);
    expect(parseKernelRelease('weird')).toBeNull();
  });
});
