/**
 * Which links the desktop window hands to the system (`shell.openExternal`).
 * The OS opens a URL with whatever handler its scheme is registered to:
 * file: runs or shows local files, smb:/nfs: mount shares, custom schemes
 * start arbitrary apps with arguments. A link in the UI (an image label, a
 * container's log line) is data a container or a registry controls, so only
 * web pages and mail go out: http(s) with a host, and mailto.
 */
const ALLOWED_PROTOCOLS = new Set(['http:', 'https:', 'mailto:']);

/** The URL to open, normalized by the WHATWG parser, or null when it must not be opened. */
export function externalUrl(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  if (!ALLOWED_PROTOCOLS.has(url.protocol)) return null;
  if (url.protocol !== 'mailto:' && url.hostname === '') return null;
  // user:password@ in a link shown as something else is a phishing classic.
  if (url.username !== '' || url.password !== '') return null;
  return url.href;
}
