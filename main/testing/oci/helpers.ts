/** Small helpers shared by the image/layer tests (temp dirs, spawning tools). */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BerthError } from '../../../preload/errors';

export function makeTmp(prefix = 'berth-img-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function rmrf(p: string): void {
  fs.rmSync(p, { recursive: true, force: true });
}

export function hasTool(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

export function run(cmd: string, args: string[], opts: { cwd?: string; input?: Buffer } = {}): Buffer {
  const r = spawnSync(cmd, args, { cwd: opts.cwd, input: opts.input, maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr?.toString() ?? r.error?.message}`);
  return r.stdout;
}

/**
 * An image made by umoci in an OCI layout at `layout` (tag `t`): one layer per
 * `layers` step, each editing the unpacked rootfs before `umoci repack`.
 * Unpacks with --rootless when not root (umoci then skips the chowns).
 */
export function buildUmociImage(layout: string, bundle: string, layers: Array<(rootfs: string) => void>): void {
  run('umoci', ['init', '--layout', layout]);
  run('umoci', ['new', '--image', `${layout}:t`]);
  const rootless = process.getuid?.() === 0 ? [] : ['--rootless'];
  for (const edit of layers) {
    rmrf(bundle);
    run('umoci', ['unpack', ...rootless, '--image', `${layout}:t`, bundle]);
    edit(path.join(bundle, 'rootfs'));
    run('umoci', ['repack', '--image', `${layout}:t`, bundle]);
  }
}

/** What skopeoArchivesOfUmociImage wrote, and the image's own facts to check a reader against. */
export interface SkopeoArchives {
  manifest: { config: { digest: string }; layers: Array<{ digest: string }> };
  /** The config's rootfs.diff_ids. */
  diffIds: string[];
  /** docker-archive, tagged berth/skopeo:t. */
  dockerTar: string;
  /** oci-archive, named berth/skopeo:oci. */
  ociTar: string;
}

/**
 * A two-layer image made by umoci under `dir` (etc/file0; then etc/file1 with
 * file0 removed, a whiteout), written by skopeo as a docker-archive and an
 * oci-archive: archives of a tool other than ours for load and analysis to read.
 */
export function skopeoArchivesOfUmociImage(dir: string): SkopeoArchives {
  const layout = path.join(dir, 'umoci');
  buildUmociImage(
    layout,
    path.join(dir, 'bundle'),
    [0, 1].map((i) => (rootfs: string) => {
      const etc = path.join(rootfs, 'etc');
      fs.mkdirSync(etc, { recursive: true });
      fs.writeFileSync(path.join(etc, `file${i}`), `content ${i}\n`.repeat(100));
      if (i === 1) fs.rmSync(path.join(etc, 'file0'));
    }),
  );
  const index = JSON.parse(fs.readFileSync(path.join(layout, 'index.json'), 'utf8')) as {
    manifests: Array<{ digest: string }>;
  };
  const blob = (d: string): string => path.join(layout, 'blobs/sha256', d.slice(7));
  const manifest = JSON.parse(
    fs.readFileSync(blob(index.manifests[0]?.digest ?? ''), 'utf8'),
  ) as SkopeoArchives['manifest'];
  const config = JSON.parse(fs.readFileSync(blob(manifest.config.digest), 'utf8')) as {
    rootfs: { diff_ids: string[] };
  };
  const dockerTar = path.join(dir, 'skopeo-docker.tar');
  const ociTar = path.join(dir, 'skopeo-oci.tar');
  run('skopeo', ['copy', '--insecure-policy', `oci:${layout}:t`, `docker-archive:${dockerTar}:berth/skopeo:t`]);
  run('skopeo', ['copy', '--insecure-policy', `oci:${layout}:t`, `oci-archive:${ociTar}:berth/skopeo:oci`]);
  return { manifest, diffIds: config.rootfs.diff_ids, dockerTar, ociTar };
}

export async function* chunksOf(buf: Buffer, size = 4096): AsyncGenerator<Buffer> {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

/** Runs fn and returns the BerthError it throws (fails the test otherwise). */
export async function engineErrorOf(fn: () => Promise<unknown>): Promise<BerthError> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof BerthError) return err;
    const what = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    throw new Error(`expected a BerthError, got: ${what}`, { cause: err });
  }
  throw new Error('expected a BerthError, but nothing was thrown');
}

/** Every path under dir (relative), sorted; used to show "nothing new appeared". */
export function listTree(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const name of fs.readdirSync(path.join(dir, rel))) {
      const r = rel ? `${rel}/${name}` : name;
      out.push(r);
      const st = fs.lstatSync(path.join(dir, r));
      if (st.isDirectory()) walk(r);
    }
  };
  if (fs.existsSync(dir)) walk('');
  return out.sort();
}
