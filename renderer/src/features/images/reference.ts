/**
 * Inline validation of a tag target as the user types it, following
 * docker's reference grammar (distribution/reference): `[host[:port]/]path[:tag]`.
 * The helper validates again (REFERENCE_INVALID) and is the authority; this
 * only explains a mistake before the request is sent. Mirrors the grammar
 * in main/engine/images/reference.ts (the renderer does not import main/).
 */

const ALNUM = '[a-z0-9]+';
const SEPARATOR = '(?:[._]|__|[-]+)';
const PATH_COMPONENT_RE = new RegExp(`^${ALNUM}(?:${SEPARATOR}${ALNUM})*$`);
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN_RE = new RegExp(`^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?$`);
const TAG_RE = /^[\w][\w.-]{0,127}$/;
const NAME_MAX = 255;

/** Returns why `input` is not a valid tag target, or null when it is. */
export function tagTargetError(input: string): string | null {
  const s = input.trim();
  if (s === '') return 'Enter a name, e.g. myapp:1.0 or registry.example:5000/team/app:dev';
  if (/\s/.test(s)) return 'A reference has no spaces';
  if (s.includes('@')) return 'A tag cannot carry a digest (@sha256:…)';
  if (/^[a-f0-9]{64}$/.test(s)) return 'A 64-digit hex string is an image ID, not a name';
  let rest = s;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    const tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (tag === '') return 'The tag after ":" is empty';
    if (!TAG_RE.test(tag)) {
      return tag.length > 128
        ? 'A tag has at most 128 characters'
        : `Invalid tag "${tag}": letters, digits, "_", "." and "-", not starting with "." or "-"`;
    }
  }
  if (rest === '') return 'The repository name is empty';
  const slash = rest.indexOf('/');
  const first = slash < 0 ? '' : rest.slice(0, slash);
  const hasDomain = slash >= 0 && (/[.:]/.test(first) || first === 'localhost' || first !== first.toLowerCase());
  const path = hasDomain ? rest.slice(slash + 1) : rest;
  if (hasDomain && !DOMAIN_RE.test(first)) return `Invalid registry "${first}"`;
  if (path === '') return 'The repository name is empty';
  if (path !== path.toLowerCase()) return 'Repository names are lowercase';
  for (const component of path.split('/')) {
    if (component === '') return 'Empty path component ("//" or a trailing "/")';
    if (!PATH_COMPONENT_RE.test(component)) {
      return `Invalid name component "${component}": lowercase letters and digits, separated by ".", "_", "__" or "-"`;
    }
  }
  if (rest.length > NAME_MAX) return `A repository name has at most ${NAME_MAX} characters`;
  return null;
}
