/**
 * The root helper in a run dir its owner can write: for every file it creates
 * or opens there (paths.ts ownerRunFiles), what the owner planted beforehand
 * (a symlink to a root-owned file, a dangling symlink, a hard link, a FIFO,
 * a file of their own) is never followed: the target is byte for byte and
 * mode for mode unchanged, and the helper replaces the plant with its own
 * file. And a link swapped in at the socket's name while it is bound: the
 * rename replaces it, its target's owner and mode stay. Real helper, as root.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ownerDir, ownerRunFiles } from '../../shared/helper-paths';
import { listenForOwner } from './run-files';
import { HELPER_JS, isRoot, tempDir, waitForSocket } from '../../testing/helper-process';

/** A uid nobody uses: the helper only needs a number to serve. */
const OWNER = 40000 + Math.floor(Math.random() * 20000);

interface Snapshot {
  mode: number;
  uid: number;
  gid: number;
  nlink: number;
  body: string;
}

function snapshot(file: string): Snapshot {
  const st = fs.lstatSync(file);
  return { mode: st.mode, uid: st.uid, gid: st.gid, nlink: st.nlink, body: fs.readFileSync(file, 'utf8') };
}

describe.runIf(isRoot)("root helper files in the owner's run dir", () => {
  let runDir: string;
  let dataRoot: string;
  /** Root-only directory (0700) holding the files a plant points at; on /tmp like the run dir (hard links). */
  let targets: string;
  let dir: string;
  let files: ReturnType<typeof ownerRunFiles>;
  let child: ChildProcess | null = null;

  beforeAll(() => {
    runDir = tempDir('berth-runfiles-');
    dataRoot = tempDir('berth-runfiles-data-');
    targets = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-runfiles-targets-'));
    fs.chmodSync(targets, 0o700);
    dir = ownerDir(OWNER, runDir);
    files = ownerRunFiles(OWNER, runDir);
  });
  afterEach(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      const gone = new Promise((r) => child!.once('exit', r));
      child.kill('SIGTERM');
      await gone;
    }
    child = null;
  });
  afterAll(() => {
    for (const d of [runDir, dataRoot, targets]) fs.rmSync(d, { recursive: true, force: true });
  });

  /** The owner's dir as an earlier helper left it: theirs, 0700; empty. */
  function freshOwnerDir(): void {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { mode: 0o700 });
    fs.chownSync(dir, OWNER, 0);
  }

  /** A root-owned file a plant points at, e.g. what /etc/shadow would be. */
  function target(name: string): string {
    const f = path.join(targets, name);
    fs.writeFileSync(f, `precious ${name}\n`, { mode: 0o640 });
    fs.chmodSync(f, 0o640);
    return f;
  }

  /** Starts the helper as a daemon would run (not --foreground: it opens its log file) and waits for its socket. */
  async function startHelper(): Promise<void> {
    child = spawn(
      process.execPath,
      [HELPER_JS, '--owner-uid', String(OWNER), '--run-dir', runDir, '--data-root', dataRoot],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let err = '';
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<never>((_, reject) =>
      child!.once('exit', (code) => reject(new Error(`helper exited (${code}): ${err}`))),
    );
    await Promise.race([waitForSocket(files.socket, 20_000), exited]);
  }

  /** What the helper leaves at each path once up: its own files, none a link. */
  async function expectOwnFiles(): Promise<void> {
    // The socket answers from bind on; the log line follows the chown.
    await expect.poll(() => fs.readFileSync(files.log, 'utf8')).toContain(`listening on ${files.socket}`);
    const log = fs.lstatSync(files.log);
    expect(log.isFile() && log.uid === 0 && log.nlink === 1 && (log.mode & 0o777) === 0o600).toBe(true);
    const pid = fs.lstatSync(files.pid);
    expect(pid.isFile() && pid.uid === 0 && pid.nlink === 1).toBe(true);
    expect(fs.readFileSync(files.pid, 'utf8').trim()).toBe(String(child!.pid));
    const sock = fs.lstatSync(files.socket);
    expect(sock.isSocket() && sock.uid === OWNER && (sock.mode & 0o777) === 0o600).toBe(true);
    // The owner lock (flock for the helper's life) is root's own file too.
    const lock = fs.lstatSync(files.lock);
    expect(lock.isFile() && lock.uid === 0 && lock.nlink === 1).toBe(true);
  }

  it('names four files (a new one must be added to ownerRunFiles and so to this test)', () => {
    expect(Object.keys(files).sort()).toEqual(['lock', 'log', 'pid', 'socket']);
    for (const f of Object.values(files)) expect(path.dirname(f)).toBe(dir);
  });

  it('a symlink at each path to a root-owned file: the target is unchanged, the link replaced', async () => {
    freshOwnerDir();
    const before = new Map<string, Snapshot>();
    for (const [name, f] of Object.entries(files)) {
      const t = target(`link-${name}`);
      before.set(t, snapshot(t));
      fs.symlinkSync(t, f);
      fs.lchownSync(f, OWNER, OWNER);
    }
    await startHelper();
    for (const [t, snap] of before) expect(snapshot(t), t).toEqual(snap);
    await expectOwnFiles();
  });

  it('a dangling symlink at each path: nothing is created at its target', async () => {
    freshOwnerDir();
    const wouldBe: string[] = [];
    for (const [name, f] of Object.entries(files)) {
      const t = path.join(targets, `dangling-${name}`);
      wouldBe.push(t);
      fs.symlinkSync(t, f);
    }
    await startHelper();
    for (const t of wouldBe) expect(fs.existsSync(t), t).toBe(false);
    await expectOwnFiles();
  });

  it('a hard link to a root-owned file at each path: the file is not written to', async () => {
    freshOwnerDir();
    const before = new Map<string, Snapshot>();
    for (const [name, f] of Object.entries(files)) {
      const t = target(`hard-${name}`);
      fs.linkSync(t, f);
      before.set(t, snapshot(t)); // nlink 2 while the plant exists
    }
    await startHelper();
    for (const [t, snap] of before) expect({ ...snapshot(t), nlink: 2 }, t).toEqual(snap);
    await expectOwnFiles();
  });

  it('a FIFO at each path: the helper neither blocks on it nor keeps it', async () => {
    freshOwnerDir();
    for (const f of Object.values(files)) {
      const r = spawn('mkfifo', [f]);
      await new Promise((res) => r.once('exit', res));
      expect(fs.lstatSync(f).isFIFO()).toBe(true);
    }
    await startHelper();
    await expectOwnFiles();
  });

  it("the owner's own files (a pid file naming a live process, a log they wrote) are replaced, not trusted", async () => {
    freshOwnerDir();
    fs.writeFileSync(files.pid, '1\n'); // pid 1 is alive: a trusted pid file would make the helper exit
    fs.writeFileSync(files.log, 'the owner wrote this\n');
    fs.writeFileSync(files.socket, 'not a socket\n');
    fs.writeFileSync(files.lock, ''); // the owner's own lock file: flock on it would be theirs to hold
    for (const f of Object.values(files)) fs.chownSync(f, OWNER, OWNER);
    await startHelper();
    await expectOwnFiles();
    expect(fs.readFileSync(files.log, 'utf8')).not.toContain('the owner wrote this');
  });

  for (const which of Object.keys(ownerRunFiles(OWNER)) as (keyof ReturnType<typeof ownerRunFiles>)[]) {
    it(`a directory at the ${which} path: the helper refuses to start (RUN_FILE_REFUSED) and removes nothing`, async () => {
      freshOwnerDir();
      const planted = path.join(files[which], 'keep');
      fs.mkdirSync(files[which]);
      fs.writeFileSync(planted, 'the owner keeps this\n');
      await expect(startHelper()).rejects.toThrow(/RUN_FILE_REFUSED/);
      expect(fs.readFileSync(planted, 'utf8')).toBe('the owner keeps this\n');
    });
  }

  for (const plant of ['symlink', 'hard link'] as const) {
    it(`a ${plant} at the socket path while the helper binds: it is replaced by rename, its target never chowned`, async () => {
      freshOwnerDir();
      const t = target(`bind-${plant.replace(' ', '-')}`);
      const snap = snapshot(t);
      const sock = path.join(dir, 'race.sock');
      const server = net.createServer();
      try {
        await listenForOwner(
          async (bindPath) => {
            // The owner's move, at the worst moment: the socket is bound, not yet owned or moved in.
            if (plant === 'symlink') fs.symlinkSync(t, sock);
            else fs.linkSync(t, sock);
            await new Promise<void>((resolve) => server.listen(bindPath, resolve));
          },
          sock,
          runDir,
          { uid: OWNER, gid: OWNER, mode: 0o600 },
        );
        expect({ ...snapshot(t), nlink: 0 }).toEqual({ ...snap, nlink: 0 });
        const st = fs.lstatSync(sock);
        expect(st.isSocket() && st.uid === OWNER && (st.mode & 0o777) === 0o600).toBe(true);
        // Nothing of the private bind dir is left in root's run dir.
        expect(fs.readdirSync(runDir).filter((n) => n.startsWith('.bind-'))).toEqual([]);
      } finally {
        await new Promise((r) => server.close(r));
      }
    });
  }
});
