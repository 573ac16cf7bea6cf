/*
 * berth-probe: the containment suite's attempts, one named attempt per
 * argument, run inside a container (Berth's or podman's) from a read-only
 * volume. Built static by main/testing/containment/probe.ts.
 *
 *   probe SPEC...     SPEC = kind[,arg...]   e.g. blockdev,254,0  unshare,user
 *
 * Each SPEC runs in its own forked child (an attempt that succeeds, e.g. a
 * chroot or an unshare, cannot change the next one) under a 10 s alarm, and
 * prints one line:  SPEC <TAB> OUTCOME <TAB> STEP
 * OUTCOME is the errno name of the first failing step (EPERM, EROFS, ...),
 * OK when every step succeeded, EOF when a read returned nothing (a path
 * masked by /dev/null), SENT for the raw-socket probe (the host side decides),
 * TIMEOUT or SIGNAL<n> when the child did not report. STEP names the call.
 *
 * Attempts that succeed under --privileged are written to do no harm to the
 * host: clocks are set to the time just read, module loads get an empty
 * image, files under /proc/sys are written with the value they hold, sysrq
 * and core_pattern are only opened for writing.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/keyctl.h>
#include <linux/perf_event.h>
#include <linux/reboot.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/swap.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAXARGS 8

static const char *step = "-";

static const char *errno_name(int e) {
  switch (e) {
#define E(x) case x: return #x;
    E(EPERM) E(ENOENT) E(ESRCH) E(EINTR) E(EIO) E(ENXIO) E(E2BIG) E(ENOEXEC) E(EBADF) E(ECHILD)
    E(EAGAIN) E(ENOMEM) E(EACCES) E(EFAULT) E(ENOTBLK) E(EBUSY) E(EEXIST) E(EXDEV) E(ENODEV)
    E(ENOTDIR) E(EISDIR) E(EINVAL) E(ENFILE) E(EMFILE) E(ENOTTY) E(ETXTBSY) E(EFBIG) E(ENOSPC)
    E(ESPIPE) E(EROFS) E(EMLINK) E(EPIPE) E(EDOM) E(ERANGE) E(ENOSYS) E(EOPNOTSUPP)
    E(EAFNOSUPPORT) E(EPROTONOSUPPORT) E(ENETUNREACH) E(EHOSTUNREACH) E(EADDRNOTAVAIL)
    E(ESTALE) E(ENOKEY) E(EKEYREJECTED) E(EDQUOT) E(ENOMEDIUM) E(ELOOP) E(ENAMETOOLONG)
#undef E
  default: {
    static char buf[32];
    snprintf(buf, sizeof buf, "E%d", e);
    return buf;
  }
  }
}

/* A failed step: the errno is the attempt's outcome. */
#define TRY(name, expr)                                                                                                \
  do {                                                                                                                 \
    step = name;                                                                                                       \
    if ((long)(expr) < 0) return errno;                                                                                \
  } while (0)

static const char *NODE = "/tmp/.berth-probe-node";

static int device(mode_t type, const char *maj, const char *min) {
  unlink(NODE);
  TRY("mknod", mknod(NODE, type | 0600, makedev(atoi(maj), atoi(min))));
  /* The node goes whatever open says: a run on the host (the baseline) left
     one in the host's /tmp when the open was refused. */
  step = "open";
  int fd = open(NODE, O_RDONLY | O_NONBLOCK);
  int err = errno;
  unlink(NODE);
  if (fd < 0) return err;
  close(fd);
  return 0;
}

static int unshare_flag(const char *what, int use_clone) {
  int flag = !strcmp(what, "user")    ? CLONE_NEWUSER
             : !strcmp(what, "mount") ? CLONE_NEWNS
             : !strcmp(what, "net")   ? CLONE_NEWNET
             : !strcmp(what, "pid")   ? CLONE_NEWPID
             : !strcmp(what, "time")  ? CLONE_NEWTIME
             : !strcmp(what, "cgroup") ? CLONE_NEWCGROUP
                                       : -1;
  if (flag < 0) return EINVAL;
  if (!use_clone) {
    TRY("unshare", unshare(flag));
    return 0;
  }
  step = "clone";
  long pid = syscall(SYS_clone, (unsigned long)flag | SIGCHLD, 0, 0, 0, 0);
  if (pid < 0) return errno;
  if (pid == 0) _exit(0);
  waitpid((pid_t)pid, NULL, 0);
  return 0;
}

static unsigned long mount_flags_of(const char *path) {
  struct statvfs s;
  unsigned long f = 0;
  if (statvfs(path, &s) == 0) {
    if (s.f_flag & ST_NOSUID) f |= MS_NOSUID;
    if (s.f_flag & ST_NODEV) f |= MS_NODEV;
    if (s.f_flag & ST_NOEXEC) f |= MS_NOEXEC;
  }
  return f;
}

static int read_some(const char *path) {
  int fd;
  char buf[64];
  TRY("open", fd = open(path, O_RDONLY));
  ssize_t n;
  TRY("read", n = read(fd, buf, sizeof buf));
  close(fd);
  return n == 0 ? -1 : 0; /* -1: EOF */
}

/* Writes back what the file holds: permitted means changed nothing. */
static int write_same(const char *path) {
  int fd;
  char buf[4096];
  TRY("open-read", fd = open(path, O_RDONLY));
  ssize_t n;
  TRY("read", n = read(fd, buf, sizeof buf));
  close(fd);
  TRY("open-write", fd = open(path, O_WRONLY));
  TRY("write", write(fd, buf, (size_t)n));
  close(fd);
  return 0;
}

/*
 * Writes our own pid into the first cgroup.procs the container can see (a
 * move into the group we are in: a no-op when permitted). ENOENT when no
 * cgroupfs is mounted in the container at all.
 */
static const char *cgroup_procs[] = {"/sys/fs/cgroup/cgroup.procs", "/sys/fs/cgroup/unified/cgroup.procs",
                                     "/sys/fs/cgroup/pids/cgroup.procs", "/sys/fs/cgroup/memory/cgroup.procs",
                                     "/sys/fs/cgroup/systemd/cgroup.procs"};

/* mkdir a group in the first cgroup hierarchy the container sees, else under /sys/fs/cgroup itself. */
static int cgroup_mkdir(void) {
  char dir[128] = "/sys/fs/cgroup/berth-probe";
  for (size_t i = 0; i < sizeof cgroup_procs / sizeof *cgroup_procs; i++) {
    if (access(cgroup_procs[i], F_OK) != 0) continue;
    snprintf(dir, sizeof dir, "%.*s/berth-probe", (int)(strrchr(cgroup_procs[i], '/') - cgroup_procs[i]),
             cgroup_procs[i]);
    break;
  }
  step = "mkdir";
  if (mkdir(dir, 0755) < 0) return errno;
  rmdir(dir);
  return 0;
}

static int cgroup_write(void) {
  const char **paths = cgroup_procs;
  for (size_t i = 0; i < sizeof cgroup_procs / sizeof *cgroup_procs; i++) {
    if (access(paths[i], F_OK) != 0) continue;
    int fd;
    step = paths[i];
    if ((fd = open(paths[i], O_WRONLY)) < 0) return errno;
    char pid[32];
    int n = snprintf(pid, sizeof pid, "%d", getpid());
    if (write(fd, pid, (size_t)n) < 0) return errno;
    close(fd);
    return 0;
  }
  step = "find cgroup.procs";
  return ENOENT;
}

static int bpf_map(void) {
  union bpf_attr a;
  memset(&a, 0, sizeof a);
  a.map_type = BPF_MAP_TYPE_ARRAY;
  a.key_size = 4;
  a.value_size = 4;
  a.max_entries = 1;
  long fd;
  TRY("bpf(BPF_MAP_CREATE)", fd = syscall(SYS_bpf, BPF_MAP_CREATE, &a, sizeof a));
  close((int)fd);
  return 0;
}

static int perf_open(void) {
  struct perf_event_attr a;
  memset(&a, 0, sizeof a);
  a.size = sizeof a;
  a.type = PERF_TYPE_SOFTWARE;
  a.config = PERF_COUNT_SW_CPU_CLOCK;
  a.disabled = 1;
  a.exclude_kernel = 1;
  a.exclude_hv = 1;
  long fd;
  TRY("perf_event_open", fd = syscall(SYS_perf_event_open, &a, 0, -1, -1, 0));
  close((int)fd);
  return 0;
}

/* A handle for DIR's own inode (DIR on a file system that exports handles: overlayfs does not), then open it. */
static int by_handle(const char *dir) {
  struct {
    struct file_handle h;
    unsigned char bytes[MAX_HANDLE_SZ];
  } fh;
  fh.h.handle_bytes = MAX_HANDLE_SZ;
  int mnt_id, mount_fd, fd;
  TRY("name_to_handle_at", name_to_handle_at(AT_FDCWD, dir, &fh.h, &mnt_id, 0));
  TRY("open mount", mount_fd = open(dir, O_RDONLY | O_DIRECTORY));
  TRY("open_by_handle_at", fd = open_by_handle_at(mount_fd, &fh.h, O_RDONLY));
  close(fd);
  close(mount_fd);
  return 0;
}

static int modules(const char *which) {
  if (!strcmp(which, "init")) {
    static const char empty[4] = {0};
    TRY("init_module", syscall(SYS_init_module, empty, sizeof empty, ""));
    return 0;
  }
  if (!strcmp(which, "finit")) {
    int fd;
    TRY("open", fd = open("/proc/self/exe", O_RDONLY)); /* an ELF file, not a module */
    TRY("finit_module", syscall(SYS_finit_module, fd, "", 0));
    return 0;
  }
  TRY("delete_module", syscall(SYS_delete_module, "berth_probe_no_such_module", O_NONBLOCK));
  return 0;
}

static int set_clock(const char *which) {
  if (!strcmp(which, "settimeofday")) {
    struct timeval tv;
    gettimeofday(&tv, NULL);
    TRY("settimeofday", settimeofday(&tv, NULL));
  } else {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    TRY("clock_settime", clock_settime(CLOCK_REALTIME, &ts));
  }
  return 0;
}

static int keys(const char *which) {
  if (!strcmp(which, "add_key"))
    TRY("add_key", syscall(SYS_add_key, "user", "berth-probe", "x", 1, KEY_SPEC_PROCESS_KEYRING));
  else
    TRY("keyctl(JOIN_SESSION_KEYRING)", syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL));
  return 0;
}

/* mkdir a jail, chroot into it, climb, chroot("."): then look for a file that exists only on the host. */
static int chroot_escape(const char *marker) {
  mkdir("/tmp/.berth-probe-jail", 0700);
  TRY("chroot jail", chroot("/tmp/.berth-probe-jail"));
  for (int i = 0; i < 64; i++) TRY("chdir ..", chdir(".."));
  TRY("chroot .", chroot("."));
  int fd;
  TRY("open host marker", fd = open(marker, O_RDONLY));
  close(fd);
  return 0;
}

static int host_pid(const char *how, const char *pid) {
  pid_t p = (pid_t)atoi(pid);
  if (!strcmp(how, "ptrace")) {
    TRY("ptrace(PTRACE_ATTACH)", ptrace(PTRACE_ATTACH, p, 0, 0));
    ptrace(PTRACE_DETACH, p, 0, 0);
  } else {
    TRY("kill(0)", kill(p, 0));
  }
  return 0;
}

static uint16_t ip_checksum(const void *data, size_t len) {
  const uint16_t *w = data;
  uint32_t sum = 0;
  for (; len > 1; len -= 2) sum += *w++;
  if (len) sum += *(const uint8_t *)w;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return (uint16_t)~sum;
}

static int udp_to(const char *ip, int port, const char *payload, struct in_addr *src) {
  int s;
  TRY("socket(udp)", s = socket(AF_INET, SOCK_DGRAM, 0));
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  inet_pton(AF_INET, ip, &a.sin_addr);
  TRY("connect(udp)", connect(s, (struct sockaddr *)&a, sizeof a));
  TRY("send(udp)", send(s, payload, strlen(payload), 0));
  if (src) {
    struct sockaddr_in me;
    socklen_t l = sizeof me;
    getsockname(s, (struct sockaddr *)&me, &l);
    *src = me.sin_addr;
  }
  close(s);
  return 0;
}

static int gateway_mac(const char *gw, unsigned char mac[6]) {
  for (int tries = 0; tries < 50; tries++) {
    FILE *f = fopen("/proc/net/arp", "r");
    if (!f) return errno;
    char line[256], ip[64], hw[64];
    unsigned flags;
    while (fgets(line, sizeof line, f)) {
      if (sscanf(line, "%63s %*s %x %63s", ip, &flags, hw) == 3 && !strcmp(ip, gw) && (flags & 2)) {
        fclose(f);
        return sscanf(hw, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &mac[0], &mac[1], &mac[2], &mac[3], &mac[4], &mac[5]) ==
                       6
                   ? 0
                   : EINVAL;
      }
    }
    fclose(f);
    usleep(20000);
  }
  return EHOSTUNREACH;
}

/* "auto": the default route's gateway from /proc/net/route (Berth's and podman's bridges alike). */
static int default_gateway(const char *arg, char out[INET_ADDRSTRLEN]) {
  if (strcmp(arg, "auto")) {
    snprintf(out, INET_ADDRSTRLEN, "%s", arg);
    return 0;
  }
  FILE *f = fopen("/proc/net/route", "r");
  if (!f) return errno;
  char line[256], ifn[32];
  unsigned dest, gw, flags;
  while (fgets(line, sizeof line, f)) {
    if (sscanf(line, "%31s %x %x %x", ifn, &dest, &gw, &flags) == 4 && dest == 0 && (flags & 2)) {
      struct in_addr a = {.s_addr = gw};
      inet_ntop(AF_INET, &a, out, INET_ADDRSTRLEN);
      fclose(f);
      return 0;
    }
  }
  fclose(f);
  return ENETUNREACH;
}

/*
 * The CVE-2020-8558 probe: a UDP datagram to 127.0.0.1:PORT framed by hand
 * with the gateway's MAC, so it reaches the host through the bridge. Framed
 * between two ordinary datagrams to GW:CTLPORT: when the second control
 * datagram has arrived, the probe had its chance to arrive before it.
 */
static int rawprobe(const char *ifname, const char *gw_arg, const char *port, const char *ctlport, const char *nonce) {
  char msg[128];
  char gw[INET_ADDRSTRLEN];
  int e;
  step = "default route";
  if ((e = default_gateway(gw_arg, gw))) return e;
  struct in_addr src;
  snprintf(msg, sizeof msg, "ctl1 %s", nonce);
  if ((e = udp_to(gw, atoi(ctlport), msg, &src))) return e;
  unsigned char gwmac[6];
  step = "arp lookup";
  if ((e = gateway_mac(gw, gwmac))) return e;
  int s;
  TRY("socket(AF_PACKET, SOCK_RAW)", s = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_IP)));
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  snprintf(ifr.ifr_name, IFNAMSIZ, "%s", ifname);
  TRY("SIOCGIFHWADDR", ioctl(s, SIOCGIFHWADDR, &ifr));

  unsigned char frame[256];
  memset(frame, 0, sizeof frame);
  struct ether_header *eh = (struct ether_header *)frame;
  memcpy(eh->ether_dhost, gwmac, 6);
  memcpy(eh->ether_shost, ifr.ifr_hwaddr.sa_data, 6);
  eh->ether_type = htons(ETH_P_IP);
  struct iphdr *ip = (struct iphdr *)(frame + sizeof *eh);
  struct udphdr *udp = (struct udphdr *)((unsigned char *)ip + sizeof *ip);
  char *body = (char *)udp + sizeof *udp;
  int blen = snprintf(body, 64, "probe %s", nonce);
  ip->version = 4;
  ip->ihl = 5;
  ip->ttl = 64;
  ip->protocol = IPPROTO_UDP;
  ip->tot_len = htons((uint16_t)(sizeof *ip + sizeof *udp + (size_t)blen));
  ip->id = htons(4242);
  ip->saddr = src.s_addr;
  ip->daddr = htonl(INADDR_LOOPBACK);
  ip->check = ip_checksum(ip, sizeof *ip);
  udp->source = htons(40000);
  udp->dest = htons((uint16_t)atoi(port));
  udp->len = htons((uint16_t)(sizeof *udp + (size_t)blen));
  udp->check = 0; /* optional for IPv4 */

  struct sockaddr_ll to = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_IP), .sll_halen = 6};
  TRY("if_nametoindex", to.sll_ifindex = (int)if_nametoindex(ifname));
  memcpy(to.sll_addr, gwmac, 6);
  size_t flen = sizeof *eh + sizeof *ip + sizeof *udp + (size_t)blen;
  TRY("sendto(raw frame)", sendto(s, frame, flen, 0, (struct sockaddr *)&to, sizeof to));
  close(s);
  snprintf(msg, sizeof msg, "ctl2 %s", nonce);
  if ((e = udp_to(gw, atoi(ctlport), msg, NULL))) return e;
  step = "sendto(raw frame)";
  return -2; /* SENT: the host side decides */
}

static int attempt(int argc, char **a) {
  const char *k = a[0];
#define NEED(n)                                                                                                        \
  do {                                                                                                                 \
    if (argc < (n) + 1) return E2BIG;                                                                                  \
  } while (0)
  if (!strcmp(k, "blockdev")) { NEED(2); return device(S_IFBLK, a[1], a[2]); }
  if (!strcmp(k, "chardev")) { NEED(2); return device(S_IFCHR, a[1], a[2]); }
  if (!strcmp(k, "unshare")) { NEED(1); return unshare_flag(a[1], 0); }
  if (!strcmp(k, "clone")) { NEED(1); return unshare_flag(a[1], 1); }
  if (!strcmp(k, "mount-tmpfs")) {
    mkdir("/tmp/.berth-probe-mnt", 0700);
    TRY("mount tmpfs", mount("tmpfs", "/tmp/.berth-probe-mnt", "tmpfs", 0, "size=1m"));
    return 0;
  }
  if (!strcmp(k, "remount-rw")) {
    NEED(1);
    TRY("mount(MS_REMOUNT|MS_BIND)", mount(NULL, a[1], NULL, MS_REMOUNT | MS_BIND | mount_flags_of(a[1]), NULL));
    return 0;
  }
  if (!strcmp(k, "umount")) { NEED(1); TRY("umount2(MNT_DETACH)", umount2(a[1], MNT_DETACH)); return 0; }
  if (!strcmp(k, "read")) { NEED(1); return read_some(a[1]); }
  if (!strcmp(k, "open-write")) {
    NEED(1);
    int fd;
    TRY("open(O_WRONLY)", fd = open(a[1], O_WRONLY));
    close(fd);
    return 0;
  }
  if (!strcmp(k, "write-same")) { NEED(1); return write_same(a[1]); }
  if (!strcmp(k, "cgroup-write")) return cgroup_write();
  if (!strcmp(k, "cgroup-mkdir")) return cgroup_mkdir();
  if (!strcmp(k, "mkdir")) { NEED(1); TRY("mkdir", mkdir(a[1], 0700)); rmdir(a[1]); return 0; }
  if (!strcmp(k, "clock")) { NEED(1); return set_clock(a[1]); }
  if (!strcmp(k, "module")) { NEED(1); return modules(a[1]); }
  if (!strcmp(k, "kexec_load")) {
    /* An architecture that is not ours: EINVAL once the capability check passed, never a load. */
    TRY("kexec_load", syscall(SYS_kexec_load, 0UL, 0UL, NULL, 1UL << 16));
    return 0;
  }
  if (!strcmp(k, "key")) { NEED(1); return keys(a[1]); }
  if (!strcmp(k, "bpf")) return bpf_map();
  if (!strcmp(k, "perf_event_open")) return perf_open();
  if (!strcmp(k, "open_by_handle_at")) { NEED(1); return by_handle(a[1]); }
  if (!strcmp(k, "syslog")) {
    char buf[256];
    TRY("syslog(READ_ALL)", klogctl(3, buf, sizeof buf));
    return 0;
  }
  if (!strcmp(k, "swapon")) {
    int fd = open("/tmp/.berth-probe-swap", O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd >= 0) {
      static char zero[65536];
      if (write(fd, zero, sizeof zero) < 0) return errno;
      close(fd);
    }
    TRY("swapon", swapon("/tmp/.berth-probe-swap", 0));
    swapoff("/tmp/.berth-probe-swap");
    return 0;
  }
  if (!strcmp(k, "reboot")) {
    /* CAD_OFF: in a pid namespace the kernel answers EINVAL after the capability check. */
    TRY("reboot(CAD_OFF)", syscall(SYS_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2, LINUX_REBOOT_CMD_CAD_OFF, NULL));
    return 0;
  }
  if (!strcmp(k, "iopl")) { TRY("iopl(3)", iopl(3)); return 0; }
  if (!strcmp(k, "host-pid")) { NEED(2); return host_pid(a[1], a[2]); }
  if (!strcmp(k, "chroot-escape")) { NEED(1); return chroot_escape(a[1]); }
  if (!strcmp(k, "uname")) {
    struct utsname u;
    TRY("uname", uname(&u));
    return 0;
  }
  if (!strcmp(k, "rawprobe")) { NEED(5); return rawprobe(a[1], a[2], a[3], a[4], a[5]); }
  step = "unknown attempt";
  return ENOSYS;
#undef NEED
}

int main(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    const char *spec = argv[i];
    int fds[2];
    if (pipe(fds) < 0) return 1;
    pid_t pid = fork();
    if (pid < 0) return 1;
    if (pid == 0) {
      close(fds[0]);
      alarm(10);
      char copy[512];
      snprintf(copy, sizeof copy, "%s", spec);
      char *args[MAXARGS + 1];
      int n = 0;
      for (char *tok = strtok(copy, ","); tok && n < MAXARGS; tok = strtok(NULL, ",")) args[n++] = tok;
      args[n] = NULL;
      int r = n ? attempt(n, args) : EINVAL;
      const char *out = r == 0 ? "OK" : r == -1 ? "EOF" : r == -2 ? "SENT" : errno_name(r);
      dprintf(fds[1], "%s\t%s\n", out, step);
      _exit(0);
    }
    close(fds[1]);
    char buf[256];
    ssize_t got = 0, n;
    while (got < (ssize_t)sizeof buf - 1 && (n = read(fds[0], buf + got, sizeof buf - 1 - (size_t)got)) > 0) got += n;
    buf[got] = 0;
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    char *nl = strchr(buf, '\n');
    if (nl) *nl = 0;
    if (got > 0) {
      printf("%s\t%s\n", spec, buf);
    } else if (WIFSIGNALED(status)) {
      printf("%s\t%s\t-\n", spec, WTERMSIG(status) == SIGALRM ? "TIMEOUT" : "SIGNAL");
    } else {
      printf("%s\tNOREPORT\t-\n", spec);
    }
    fflush(stdout);
  }
  return 0;
}
