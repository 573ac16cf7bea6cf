/**
 * Limits on the host's real cgroups (root only; v1 controllers as on this
 * hybrid host). Every value is checked in the kernel's own file.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { weightToShares } from './convert';
import {
  Scratch,
  alive,
  hasV1,
  hostLayout,
  isRoot,
  readFile,
  rootDisk,
  spawnGated,
  waitFor,
} from '../../testing/cgroup-groups';

const layout = isRoot ? hostLayout() : null;
const v1 = hasV1(layout, 'memory', 'cpu', 'cpuacct', 'cpuset', 'pids', 'blkio', 'devices');

describe.runIf(isRoot && v1)('v1 limits on this host, read back from the kernel', () => {
  const s = layout ? new Scratch(layout) : (null as unknown as Scratch);
  afterEach(() => s.cleanup());

  function sleeper(h: ReturnType<Scratch['create']>): number {
    const c = s.track(spawn('sleep', ['30'], { stdio: 'ignore' }));
    if (!c.pid) throw new Error('spawn sleep');
    s.driver.attach(h, c.pid);
    return c.pid;
  }

  it('attaches a process in every hierarchy and reports its procs files', () => {
    const h = s.create('attach');
    const pid = sleeper(h);
    const files = s.driver.procsFiles(h);
    expect(files.length).toBeGreaterThanOrEqual(7);
    for (const f of files) expect(readFile(f).split('\n').map(Number)).toContain(pid);
    expect(s.driver.pids(h)).toEqual([pid]);
    const own = fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8');
    expect(own).toContain(`:memory:/${h.path}`);
  });

  it('memory max 64 MiB → memory.limit_in_bytes 67108864, with the file path', () => {
    const h = s.create('mem');
    sleeper(h);
    s.driver.apply(h, { memory: { max: 64 * 1024 * 1024 } });
    const file = path.join(h.v1.memory ?? '', 'memory.limit_in_bytes');
    expect(readFile(file)).toBe('67108864');
    const e = s.driver.read(h);
    expect(e.memory?.max).toEqual({ value: 67108864, requested: 67108864, file, raw: '67108864' });
    expect(e.memory?.high?.value).toBeNull(); // 9223372036854771712 normalised
    expect(e.unsupported.map((u) => u.limit)).toContain('memory.low');
    // Back to unlimited: "-1" in, PAGE_COUNTER_MAX × PAGE_SIZE out, null in EffectiveLimits.
    s.driver.apply(h, { memory: { max: null } });
    expect(BigInt(readFile(file))).toBeGreaterThan(2n ** 62n);
    expect(s.driver.read(h).memory?.max?.value).toBeNull();
  });

  it('a limit below usage is refused with EBUSY and the old limit stays; negative values never reach the kernel', async () => {
    const h = s.create('busy');
    s.driver.apply(h, { memory: { max: 64 * 1024 * 1024 } });
    const g = spawnGated(['stress-ng', '--vm', '1', '--vm-bytes', '16M', '--vm-keep', '--timeout', '20s']);
    s.track(g.child);
    s.driver.attach(h, g.pid);
    g.go();
    expect(await waitFor(() => s.driver.stats(h).memory.current > 12 * 1024 * 1024, 8000)).toBe(true);
    const file = path.join(h.v1.memory ?? '', 'memory.limit_in_bytes');
    let err: unknown;
    try {
      s.driver.apply(h, { memory: { max: 4096 }, pids: { max: 100 } });
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'CGROUP_LIMIT_REFUSED', details: { file, value: '4096', errno: 'EBUSY' } });
    expect((err as Error).message).toMatch(/EBUSY/);
    expect(readFile(file)).toBe('67108864');
    expect(readFile(path.join(h.v1.pids ?? '', 'pids.max'))).toBe('max'); // nothing after the refusal was written
    expect(() => s.driver.apply(h, { memory: { max: -4096 } })).toThrow(
      expect.objectContaining({ code: 'CGROUP_BAD_LIMITS' }),
    );
    expect(readFile(file)).toBe('67108864');
  });

  it('all-or-nothing for real: a refused cpuset undoes the memory and cpu writes made before it', () => {
    const h = s.create('rollback');
    sleeper(h);
    const limFile = path.join(h.v1.memory ?? '', 'memory.limit_in_bytes');
    const sharesFile = path.join(h.v1.cpu ?? '', 'cpu.shares');
    const limBefore = readFile(limFile);
    const sharesBefore = readFile(sharesFile);
    const cpusFile = path.join(h.v1.cpuset ?? '', 'cpuset.cpus');
    const impossible = '4095'; // not a CPU of this host (nor of its parent's cpuset)
    let err: unknown;
    try {
      s.driver.apply(h, { memory: { max: 48 * 1024 * 1024 }, cpu: { weight: 300, cpusetCpus: impossible } });
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({
      code: 'CGROUP_LIMIT_REFUSED',
      details: {
        file: cpusFile,
        value: impossible,
        errno: expect.stringMatching(/^(ERANGE|EINVAL)$/),
        rolledBack: true,
        undone: 2,
      },
    });
    console.log(`[rollback] ${(err as Error).message}`);
    expect((err as Error).message).toMatch(/earlier writes were undone/);
    expect(readFile(limFile)).toBe(limBefore);
    expect(readFile(sharesFile)).toBe(sharesBefore);
    expect(s.driver.read(h).memory?.max?.requested).toBeUndefined();
  });

  it('cpu weight 512 → cpu.shares 2 + ceil(511 × 262142 / 9999) = 13399, read back as weight 512', () => {
    const h = s.create('shares');
    sleeper(h);
    s.driver.apply(h, { cpu: { weight: 512 } });
    expect(weightToShares(512)).toBe(13399);
    const file = path.join(h.v1.cpu ?? '', 'cpu.shares');
    expect(readFile(file)).toBe('13399');
    expect(s.driver.read(h).cpu?.weight).toMatchObject({ value: 512, requested: 512, raw: '13399', file });
  });

  it('cpus 0.5 → cfs_quota_us 50000 / cfs_period_us 100000; quota null → -1', () => {
    const h = s.create('quota');
    sleeper(h);
    s.driver.apply(h, { cpu: { cpus: 0.5 } });
    const dir = h.v1.cpu ?? '';
    expect(readFile(path.join(dir, 'cpu.cfs_quota_us'))).toBe('50000');
    expect(readFile(path.join(dir, 'cpu.cfs_period_us'))).toBe('100000');
    expect(s.driver.read(h).cpu?.quotaUs).toMatchObject({ value: 50000, requested: 50000 });
    s.driver.apply(h, { cpu: { quota: { quotaUs: null } } });
    expect(readFile(path.join(dir, 'cpu.cfs_quota_us'))).toBe('-1');
    expect(s.driver.read(h).cpu?.quotaUs?.value).toBeNull();
  });

  it('cpuset "0" → cpuset.cpus "0" and the attached process may only run on CPU 0', () => {
    const h = s.create('cpuset');
    const pid = sleeper(h);
    s.driver.apply(h, { cpu: { cpusetCpus: '0' } });
    expect(readFile(path.join(h.v1.cpuset ?? '', 'cpuset.cpus'))).toBe('0');
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    expect(/Cpus_allowed_list:\s*(\S+)/.exec(status)?.[1]).toBe('0');
    // Narrowed to 0, the group may still be given what its parent has.
    const parentEffective = path.join(path.dirname(h.v1.cpuset ?? ''), 'cpuset.effective_cpus');
    expect(s.driver.read(h).cpu?.cpusetCpusAllowed).toMatchObject({
      value: readFile(parentEffective),
      file: parentEffective,
      note: expect.stringContaining('cpuset.effective_cpus = 0'),
    });
  });

  it('pids max 10 stops a fork bomb at 10', async () => {
    const h = s.create('pids');
    s.driver.apply(h, { pids: { max: 10 } });
    expect(readFile(path.join(h.v1.pids ?? '', 'pids.max'))).toBe('10');
    const g = spawnGated(['sh', '-c', 'for i in $(seq 50); do sleep 10 & done; wait']);
    s.track(g.child);
    s.driver.attach(h, g.pid);
    g.go();
    const events = path.join(h.v1.pids ?? '', 'pids.events');
    const refused = () => Number(/max (\d+)/.exec(readFile(events))?.[1] ?? 0);
    let seen = 0;
    await waitFor(() => {
      seen = Math.max(seen, s.driver.stats(h).pids.current);
      return refused() > 0;
    }, 5000);
    const st = s.driver.stats(h);
    expect(st.pids.max).toBe(10);
    expect(st.pids.current).toBeLessThanOrEqual(10);
    expect(seen).toBeLessThanOrEqual(10);
    // The kernel refused forks (fork() → EAGAIN) and says so in pids.events; pids.peak (6.x) shows the cap.
    expect(refused()).toBeGreaterThan(0);
    const peakFile = path.join(h.v1.pids ?? '', 'pids.peak');
    if (fs.existsSync(peakFile)) expect(Number(readFile(peakFile))).toBe(10);
    await s.driver.killAll(h); // the sleeps hold sh's stdio open
    const r = await g.exited;
    console.log(
      `[pids] pids.max 10: pids.events "${readFile(events)}", sh said: ${r.stderr.trim().replace(/\s+/g, ' ')}`,
    );
  });

  it('blkio: throttle files written and read back for the root disk; weight where the kernel has it', async () => {
    const disk = rootDisk();
    if (!disk) return;
    const h = s.create('blkio');
    sleeper(h);
    const dir = h.v1.blkio ?? '';
    const hasWeight = ['blkio.weight', 'blkio.bfq.weight'].some((f) => fs.existsSync(path.join(dir, f)));
    if (hasWeight) {
      s.driver.apply(h, { io: { weight: 500 } });
      expect(s.driver.read(h).io?.weight?.requested).toBe(500);
    } else {
      expect(() => s.driver.apply(h, { io: { weight: 500 } })).toThrow(
        expect.objectContaining({ code: 'CGROUP_UNSUPPORTED', message: expect.stringMatching(/blkio\.bfq\.weight/) }),
      );
      console.log(`[blkio] no blkio.weight / blkio.bfq.weight on this kernel: io.weight refused as unsupported`);
    }
    const dev = `${disk.major}:${disk.minor}`;
    s.driver.apply(h, {
      io: { devices: [{ major: disk.major, minor: disk.minor, writeBps: 1_048_576, readIops: 500 }] },
    });
    expect(readFile(path.join(dir, 'blkio.throttle.write_bps_device'))).toContain(`${dev} 1048576`);
    expect(readFile(path.join(dir, 'blkio.throttle.read_iops_device'))).toContain(`${dev} 500`);
    const e = s.driver.read(h).io?.devices.find((d) => d.major === disk.major && d.minor === disk.minor);
    expect(e?.writeBps).toMatchObject({ value: 1048576, requested: 1048576, raw: `${dev} 1048576` });
    expect(e?.readBps?.value).toBeNull();

    // Buffered writes land in the page cache: blk-throttle sees them only at writeback,
    // so 64 MiB "written" under a 1 MB/s limit still returns quickly.
    const tmp = path.join('/var/tmp', `berth-blkio-${process.pid}`);
    const g = spawnGated(['dd', 'if=/dev/zero', `of=${tmp}`, 'bs=1M', 'count=64', 'status=none']);
    s.track(g.child);
    s.driver.attach(h, g.pid);
    const t0 = Date.now();
    g.go();
    const r = await g.exited;
    const ms = Date.now() - t0;
    fs.rmSync(tmp, { force: true });
    expect(r.code).toBe(0);
    console.log(
      `[blkio] 64 MiB buffered write under write_bps_device ${dev} 1048576 took ${ms} ms (${((64 / ms) * 1000).toFixed(0)} MiB/s): page cache, not the disk`,
    );

    s.driver.apply(h, { io: { devices: [{ major: disk.major, minor: disk.minor, writeBps: null, readIops: null }] } });
    expect(readFile(path.join(dir, 'blkio.throttle.write_bps_device'))).not.toContain(dev);
  });

  it('devices: deny c 1:3 makes /dev/null unopenable inside the group; allow restores it', async () => {
    const h = s.create('devices');
    const run = async () => {
      const g = spawnGated(['sh', '-c', 'echo > /dev/null']);
      s.track(g.child);
      s.driver.attach(h, g.pid);
      g.go();
      return g.exited;
    };
    s.driver.apply(h, { devices: { rules: [{ allow: false, type: 'c', major: 1, minor: 3, access: 'rwm' }] } });
    const denied = await run();
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toMatch(/Operation not permitted|Permission denied/);
    const e = s.driver.read(h);
    expect(e.devices?.note).toMatch(/does not list deny exceptions/);
    expect(e.devices?.requested).toEqual([{ allow: false, type: 'c', major: 1, minor: 3, access: 'rwm' }]);

    s.driver.apply(h, { devices: { rules: [{ allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' }] } });
    expect((await run()).code).toBe(0);

    // Default deny, then an allowlist: devices.list shows exactly the allowed entries.
    s.driver.apply(h, {
      devices: {
        rules: [
          { allow: false, type: 'a', major: '*', minor: '*', access: 'rwm' },
          { allow: true, type: 'c', major: 1, minor: 3, access: 'rw' },
          { allow: true, type: 'c', major: 1, minor: 5, access: 'rwm' },
        ],
      },
    });
    expect(
      readFile(path.join(h.v1.devices ?? '', 'devices.list'))
        .split('\n')
        .sort(),
    ).toEqual(['c 1:3 rw', 'c 1:5 rwm']);
    expect((await run()).code).toBe(0);
  });

  it('net_cls classid and net_prio ifpriomap after ensureNetClsPrio()', () => {
    const h = s.create('net');
    const pid = sleeper(h);
    s.driver.apply(h, { netCls: { classid: 0x00100001 }, netPrio: { ifPriorities: [{ iface: 'lo', priority: 5 }] } });
    const netCls = h.v1.net_cls ?? '';
    expect(netCls).toContain('net_cls');
    expect(readFile(path.join(netCls, 'net_cls.classid'))).toBe('1048577');
    expect(readFile(path.join(h.v1.net_prio ?? '', 'net_prio.ifpriomap'))).toMatch(/^lo 5$/m);
    const e = s.driver.read(h);
    expect(e.netCls?.classid).toMatchObject({
      value: 1048577,
      requested: 1048577,
      note: expect.stringMatching(/10:1/),
    });
    expect(e.netPrio?.ifPriorities?.value).toContainEqual({ iface: 'lo', priority: 5 });
    // The process was moved into the new hierarchy as well.
    expect(readFile(path.join(netCls, 'cgroup.procs')).split('\n').map(Number)).toContain(pid);
    expect(alive(pid)).toBe(true);
  });
});
