/**
 * Build test support: a context folder whose Containerfile uses every
 * instruction `berth build` implements, over three stages, and a peer
 * (buildah / podman) on private storage so tests and benches never touch the
 * machine's own images.
 */
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { tarBuffer } from '../engine/oci/tar/writer';
import { gzipSync } from 'node:zlib';

const execFileP = promisify(execFile);

export const EVERY_INSTRUCTION = `# syntax is buildkit's; the escape directive is the default one
ARG BASE=busybox
FROM \${BASE} AS builder
ARG GREETING=hello
ENV OUT=/out \\
    MODE="two words"
WORKDIR /src
COPY --chmod=755 gen.sh ./
RUN ./gen.sh "$GREETING" > /tmp/greeting && mkdir -p $OUT && cp /tmp/greeting $OUT/greeting.txt
RUN ["/bin/sh", "-c", "echo exec-form > /out/exec.txt"]

FROM scratch AS assets
COPY --from=builder /out/ /assets/

FROM \${BASE:-busybox}
ARG BASE
LABEL org.example.title="berth build test" version=1
ENV APP_HOME=/app
ENV PATH=/app/bin:$PATH
WORKDIR $APP_HOME
COPY --from=assets /assets/ ./assets/
COPY --chown=1000:1000 --chmod=640 config/ ./config/
ADD files.tar.gz /opt/
ADD notes.txt ./
COPY --from=\${BASE} /etc/hostname /copied-hostname
RUN mkdir -p /data && echo "base=\${BASE}" > /app/base.txt && rm /var/www/index.html
USER app
EXPOSE 8080 53/udp
VOLUME ["/data"]
SHELL ["/bin/sh", "-c"]
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=5s --retries=3 CMD test -f /app/assets/greeting.txt
ENTRYPOINT ["/bin/sh", "-c"]
CMD ["cat /app/assets/greeting.txt /app/assets/exec.txt"]
`;

/** Writes the context of EVERY_INSTRUCTION into `dir` (created). */
export async function writeEveryInstructionContext(dir: string): Promise<void> {
  fs.mkdirSync(path.join(dir, 'config'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'Containerfile'), EVERY_INSTRUCTION);
  fs.writeFileSync(path.join(dir, 'gen.sh'), '#!/bin/sh\necho "$1 from a build"\n', { mode: 0o644 });
  fs.writeFileSync(path.join(dir, 'config', 'app.conf'), 'port=8080\n');
  fs.writeFileSync(path.join(dir, 'config', 'debug.log'), 'ignored\n');
  fs.writeFileSync(path.join(dir, 'notes.txt'), 'notes\n');
  fs.writeFileSync(path.join(dir, 'secret.txt'), 'never copied\n');
  fs.writeFileSync(path.join(dir, '.dockerignore'), 'secret.txt\n**/*.log\n');
  const t = 1700000000;
  const tar = await tarBuffer([
    { path: 'pkg/', type: 'dir', mode: 0o755, mtime: t },
    { path: 'pkg/readme', body: 'from a tar\n', mode: 0o600, uid: 7, gid: 8, mtime: t },
    { path: 'pkg/link', type: 'symlink', linkname: 'readme', mtime: t },
  ]);
  fs.writeFileSync(path.join(dir, 'files.tar.gz'), gzipSync(tar));
}

/** A peer (buildah, podman) on its own storage under `dir`. */
export class PeerStorage {
  readonly base: string[];
  constructor(
    readonly dir: string,
    driver = 'overlay',
  ) {
    this.base = ['--root', path.join(dir, 'root'), '--runroot', path.join(dir, 'runroot'), '--storage-driver', driver];
  }

  async buildah(args: string[], o: { cwd?: string } = {}): Promise<string> {
    const r = await execFileP('buildah', [...this.base, ...args], {
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, TMPDIR: path.join(this.dir, 'tmp'), BUILDAH_ISOLATION: 'chroot' },
      ...(o.cwd ? { cwd: o.cwd } : {}),
    });
    return r.stdout;
  }

  async podman(args: string[]): Promise<string> {
    const r = await execFileP(
      'podman',
      [
        ...this.base,
        '--tmpdir',
        path.join(this.dir, 'tmp'),
        '--cgroup-manager',
        'cgroupfs',
        '--events-backend',
        'file',
        ...args,
      ],
      { maxBuffer: 64 * 1024 * 1024 },
    );
    return r.stdout;
  }

  init(): void {
    fs.mkdirSync(path.join(this.dir, 'tmp'), { recursive: true });
  }

  /** Pulls a busybox docker-archive (busybox:latest) and tags it as docker.io's, so `FROM busybox` finds it. */
  async pullBusybox(tar: string): Promise<void> {
    await this.buildah(['pull', '-q', `docker-archive:${tar}`]);
    await this.buildah(['tag', 'busybox:latest', 'docker.io/library/busybox:latest']).catch(() => undefined);
  }

  /** Unmounts and removes the storage (overlay mounts may linger under it). */
  dispose(): void {
    try {
      execFileSync('buildah', [...this.base, 'rm', '--all'], { stdio: 'ignore' });
    } catch {
      // nothing to remove
    }
    for (const line of fs.readFileSync('/proc/mounts', 'utf8').split('\n').reverse()) {
      const mnt = line.split(' ')[1];
      if (mnt?.startsWith(this.dir)) {
        try {
          execFileSync('umount', ['-l', mnt]);
        } catch {
          // already gone
        }
      }
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

export function which(cmd: string): boolean {
  try {
    execFileSync('which', [cmd], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Every path below `root` with type, mode, owner, size and link target (mtimes left out). */
export function fsListing(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string): void => {
    for (const name of fs.readdirSync(path.join(root, rel)).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      const st = fs.lstatSync(path.join(root, r));
      const type = st.isDirectory() ? 'd' : st.isSymbolicLink() ? 'l' : st.isFile() ? 'f' : 'o';
      const extra = type === 'l' ? ` -> ${fs.readlinkSync(path.join(root, r))}` : type === 'f' ? ` ${st.size}` : '';
      out.set(`/${r}`, `${type} ${(st.mode & 0o7777).toString(8)} ${st.uid}:${st.gid}${extra}`);
      if (type === 'd') walk(r);
    }
  };
  walk('');
  return out;
}
