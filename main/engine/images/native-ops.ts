/**
 * NativeFsOps from the Berth addon (lsetxattr/lgetxattr/llistxattr/mknod),
 * falling back to the python3 co-process (native-fs.ts) when the addon in
 * use does not have them yet (an older build, or not built at all).
 *
 * The addon calls are synchronous single syscalls on local paths, so they
 * are wrapped in already-settled promises. Errors keep the addon's shape
 * (code = errno name, errno, syscall, path), which is what the layer
 * applier branches on (ENOTSUP, EPERM…), like the fallback (native-fs.ts).
 */
import fs from 'node:fs';
import * as nativeModule from '../../../native/index';
import { createPythonFsOps, type NativeFsOps, type SpecialKind } from './native-fs';

/** The addon functions we use, as native/index.ts exports them once they exist. */
interface FsAttrBinding {
  lsetxattr(path: string, name: string, value: Uint8Array): void;
  lgetxattr(path: string, name: string): Buffer | null;
  llistxattr(path: string): string[];
  /** mknod(2); `mode` carries the file type bits; the umask applies. */
  mknod(path: string, mode: number, major: number, minor: number): void;
}

const S_IFMT: Record<SpecialKind, number> = { char: 0o020000, block: 0o060000, fifo: 0o010000 };

function bindingOf(mod: unknown): FsAttrBinding | null {
  const m = mod as Partial<Record<keyof FsAttrBinding, unknown>>;
  if (
    typeof m.lsetxattr === 'function' &&
    typeof m.lgetxattr === 'function' &&
    typeof m.llistxattr === 'function' &&
    typeof m.mknod === 'function'
  ) {
    return m as FsAttrBinding;
  }
  return null;
}

/**
 * Whether the loaded addon really answers: the wrappers may exist while the
 * binary on disk is an older build (or missing), which only shows on call.
 */
function probe(b: FsAttrBinding): boolean {
  try {
    b.llistxattr('/');
    return true;
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    // A syscall error (EPERM, ENOTSUP…) still proves the binding works.
    return typeof code === 'string' && /^E[A-Z0-9]+$/.test(code);
  }
}

function settle<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
}

/** NativeFsOps over the addon's functions. */
export function nativeFsOpsFrom(b: FsAttrBinding): NativeFsOps {
  return {
    lsetxattr: (p, name, value) => settle(() => b.lsetxattr(p, name, value)),
    lgetxattr: (p, name) => settle(() => b.lgetxattr(p, name)),
    llistxattr: (p) => settle(() => b.llistxattr(p)),
    async mknod(p, kind, mode, major, minor) {
      b.mknod(p, S_IFMT[kind] | (mode & 0o7777), major, minor);
      // mknod(2) applies the umask; NativeFsOps promises the exact bits. The
      // node was just created by us in a private directory, so chmod cannot
      // be redirected.
      if ((mode & 0o7777) !== 0) await fs.promises.chmod(p, mode & 0o7777);
    },
    async close() {
      /* nothing held */
    },
  };
}

let cached: FsAttrBinding | null | undefined;

/** The addon binding when it has working fsattr functions, else null (checked once). */
export function nativeFsAttr(): FsAttrBinding | null {
  if (cached === undefined) {
    const b = bindingOf(nativeModule as unknown);
    cached = b && probe(b) ? b : null;
  }
  return cached;
}

/** The native implementation when available, else the python3 fallback. */
export function createNativeFsOps(): NativeFsOps {
  const b = nativeFsAttr();
  return b ? nativeFsOpsFrom(b) : createPythonFsOps();
}

/** Which implementation createNativeFsOps() picks (for logs and `system.info`-style reporting). */
export function nativeFsOpsKind(): 'native' | 'python3' {
  return nativeFsAttr() ? 'native' : 'python3';
}
