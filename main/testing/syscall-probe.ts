/**
 * A tiny static program for containment tests: `probe NAME…` makes each
 * named syscall with harmless arguments and prints `NAME=ok` or
 * `NAME=ERRNO` (e.g. `keyctl=EPERM`), one per line, exit 0. Built with
 * gcc -static from the source below (no libc needed in the image); mount its
 * directory into the container read-only.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const SOURCE = String.raw`
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static long call(const char* n) {
  char attr[128];
  memset(attr, 0, sizeof attr);
  if (!strcmp(n, "getpid")) return syscall(SYS_getpid);
  if (!strcmp(n, "keyctl")) return syscall(SYS_keyctl, 0 /* GET_KEYRING_ID */, -3 /* session */, 0);
  if (!strcmp(n, "add_key")) return syscall(SYS_add_key, "user", "berth-probe", "x", 1, -3);
  if (!strcmp(n, "request_key")) return syscall(SYS_request_key, "user", "berth-probe", NULL, 0);
  if (!strcmp(n, "bpf")) return syscall(SYS_bpf, 0 /* MAP_CREATE */, attr, sizeof attr);
  if (!strcmp(n, "perf_event_open")) return syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0);
  if (!strcmp(n, "open_by_handle_at")) return syscall(SYS_open_by_handle_at, AT_FDCWD, NULL, 0);
  if (!strcmp(n, "settimeofday")) return syscall(SYS_settimeofday, NULL, NULL);
  if (!strcmp(n, "clock_settime")) return syscall(SYS_clock_settime, 0, NULL);
  if (!strcmp(n, "init_module")) return syscall(SYS_init_module, NULL, 0, "");
  if (!strcmp(n, "finit_module")) return syscall(SYS_finit_module, -1, "", 0);
  if (!strcmp(n, "clone3")) return syscall(SYS_clone3, NULL, 0);
  if (!strcmp(n, "unshare_user")) return syscall(SYS_unshare, CLONE_NEWUSER);
  if (!strcmp(n, "unshare_mount")) return syscall(SYS_unshare, CLONE_NEWNS);
  if (!strcmp(n, "clone_newuser")) {
    long pid = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
    if (pid == 0) _exit(0);
    if (pid > 0) waitpid((pid_t)pid, NULL, 0);
    return pid;
  }
  if (!strcmp(n, "personality")) return syscall(SYS_personality, 0x0040000 /* ADDR_NO_RANDOMIZE */);
  if (!strcmp(n, "socket_vsock")) return socket(40, SOCK_STREAM, 0);
  if (!strcmp(n, "mount")) return mount("none", "/mnt", "tmpfs", 0, NULL);
  if (!strcmp(n, "chroot")) return syscall(SYS_chroot, "/");
  if (!strcmp(n, "mkdir")) return syscall(SYS_mkdir, "/probe-dir", 0755);
  errno = ENOENT;
  return -2;
}

int main(int argc, char** argv) {
  for (int i = 1; i < argc; i++) {
    errno = 0;
    long r = call(argv[i]);
    if (r == -2 && errno == ENOENT) printf("%s=unknown-probe\n", argv[i]);
    else if (r < 0) printf("%s=%s\n", argv[i], strerrorname_np(errno));
    else printf("%s=ok\n", argv[i]);
  }
  return 0;
}
`;

/** Compiles the probe into dir/probe (static) and returns its path. */
export function buildSyscallProbe(dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  const src = path.join(dir, 'probe.c');
  const bin = path.join(dir, 'probe');
  fs.writeFileSync(src, SOURCE);
  execFileSync('gcc', ['-static', '-O1', '-o', bin, src], { stdio: 'pipe' });
  return bin;
}

/** `name=ERRNO` lines → { name: 'ERRNO' | 'ok' }. */
export function parseProbe(out: string): Record<string, string> {
  return Object.fromEntries(
    out
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}
