/**
 * `--security-opt` values of `berth run` / `berth create` (docker's syntax):
 *   seccomp=unconfined        no seccomp filter
 *   seccomp=PROFILE.json      a Docker/OCI JSON profile, read here as the
 *                             user: its text crosses the privilege line,
 *                             never its path
 *   no-new-privileges[=true]  accepted (always on in Berth); =false refused
 * `seccomp=default` would name a file in docker; here it is a file too.
 */
import fs from 'node:fs';
import { BerthError, isErrorCode } from '../../preload/errors';

export type SeccompOpt = 'unconfined' | { profile: string };

export function seccompFromSecurityOpts(
  values: readonly string[],
  readFile = (p: string) => fs.readFileSync(p, 'utf8'),
): SeccompOpt | undefined {
  let seccomp: SeccompOpt | undefined;
  for (const v of values) {
    const eq = v.search(/[=:]/);
    const key = eq < 0 ? v : v.slice(0, eq);
    const value = eq < 0 ? undefined : v.slice(eq + 1);
    if (key === 'seccomp') {
      if (!value) throw new BerthError('USAGE', '--security-opt seccomp needs =unconfined or =PROFILE.json');
      if (value === 'unconfined') {
        seccomp = 'unconfined';
        continue;
      }
      let text: string;
      try {
        text = readFile(value);
      } catch (e) {
        const errno = (e as NodeJS.ErrnoException).code;
        const code = isErrorCode(errno) ? errno : 'EIO';
        throw new BerthError(code, `--security-opt seccomp=${value}: cannot read the profile (${code})`);
      }
      seccomp = { profile: text };
    } else if (key === 'no-new-privileges') {
      if (value !== undefined && value !== 'true') {
        throw new BerthError('USAGE', 'no-new-privileges is always on in Berth; it cannot be turned off');
      }
    } else {
      throw new BerthError(
        'USAGE',
        `unsupported --security-opt ${v} (supported: seccomp=unconfined|FILE, no-new-privileges)`,
      );
    }
  }
  return seccomp;
}
