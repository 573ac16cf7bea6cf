/**
 * The Build page's build-arg field: one `K=V` per line, as `--build-arg`
 * takes them (a later line wins, as the CLI's later flag does). A name that
 * ARG could not declare is refused here, naming the line, before the request
 * is sent; blank lines and `#` comments are skipped.
 */
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export type BuildArgs = { ok: true; args: Record<string, string> } | { ok: false; error: string };

export function parseBuildArgs(text: string): BuildArgs {
  const args: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).replace(/\r$/, '');
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    const eq = line.indexOf('=');
    const name = (eq < 0 ? line : line.slice(0, eq)).trim();
    if (eq < 0) return { ok: false, error: `line ${i + 1}: ${name}: K=V expected` };
    if (!NAME.test(name)) return { ok: false, error: `line ${i + 1}: ${name || '(empty)'}: not an ARG name` };
    args[name] = line.slice(eq + 1);
  }
  return { ok: true, args };
}
