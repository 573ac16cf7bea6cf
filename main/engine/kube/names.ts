/** Kubernetes object and container names (DNS-1123 labels) from Berth's docker-style names. */

/** Lowercase, `_` and `.` to `-`, anything else dropped, at most 63 characters, alphanumeric at both ends. */
export function dnsLabel(name: string, fallback = 'berth'): string {
  const s = name
    .toLowerCase()
    .replace(/[_.]/g, '-')
    .replace(/[^a-z0-9-]/g, '')
    .slice(0, 63)
    .replace(/^-+|-+$/g, '');
  return s || fallback;
}

/** A label key/value Kubernetes accepts (else it goes to annotations). */
export function validLabel(key: string, value: string): boolean {
  const part = /^[A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?$/;
  const slash = key.lastIndexOf('/');
  const name = slash < 0 ? key : key.slice(slash + 1);
  const prefix = slash < 0 ? null : key.slice(0, slash);
  const prefixOk = prefix === null || (prefix.length <= 253 && /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/.test(prefix));
  return prefixOk && part.test(name) && (value === '' || part.test(value));
}
