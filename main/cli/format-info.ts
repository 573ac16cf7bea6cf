/** `berth info` for people: what the helper reports, with the evidence. */
import type { SystemInfo } from '../../preload/contract';

export function formatInfo(i: SystemInfo, clientVersion: string): string {
  const lines: string[] = [];
  const h = i.helper;
  lines.push(`Berth:        client ${clientVersion}, helper ${h.version}`);
  lines.push(
    `Helper:       pid ${h.pid}, uid ${h.uid}, serving uid ${h.ownerUid}, started ${h.startedVia}, up ${h.uptimeSeconds}s`,
  );
  lines.push(`Socket:       ${h.socketPath}`);
  lines.push(`Kernel:       ${i.kernel.release} ${i.kernel.machine}`);
  lines.push(
    `Cgroups:      ${i.cgroup.mode} (statfs ${i.cgroup.root}: ${i.cgroup.rootFsType} ${i.cgroup.rootFsMagic}` +
      (i.cgroup.unifiedMountPoint ? `; cgroup2 at ${i.cgroup.unifiedMountPoint})` : ')'),
  );
  for (const hier of i.cgroup.hierarchies) {
    const what = hier.controllers.length
      ? hier.controllers.join(',')
      : hier.name
        ? `name=${hier.name}`
        : '(no controllers)';
    lines.push(`  v${hier.version}  ${what.padEnd(24)} ${hier.mountPoint}`);
  }
  lines.push(`Overlayfs:    ${i.overlay.supported ? 'supported' : 'NOT supported'} (${i.overlay.evidence})`);
  lines.push(
    `Namespaces:   ${i.namespaces
      .filter((n) => n.available)
      .map((n) => n.type)
      .join(' ')}`,
  );
  const ev = Object.entries(i.userNamespaces.evidence)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  lines.push(
    `Unprivileged user namespaces: ${i.userNamespaces.unprivilegedAllowed ? 'allowed' : 'not allowed'} (${ev})`,
  );
  lines.push(`Data root:    ${i.dataRoot}`);
  return lines.join('\n');
}
