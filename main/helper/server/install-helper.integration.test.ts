/**
 * scripts/install-helper.sh refuses, before writing anything, a checkout that
 * lacks one of the parts packaging/helper-parts declares (the issue: the
 * monitor was never copied, and `berth run` failed as a user). It runs as
 * root (the script refuses otherwise) on a fake checkout; run it under the
 * root-tests lock: were the check broken, it would install into /usr/lib/berth.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, isRoot } from '../../testing/helper-process';
import { INSTALL_DIR } from '../../shared/helper-paths';

const run = promisify(execFile);

function declaredParts(): string[] {
  return fs
    .readFileSync(path.join(ROOT, 'packaging', 'helper-parts'), 'utf8')
    .split('\n')
    .map((l) => l.replace(/#.*/, '').trim())
    .filter(Boolean);
}

/** A checkout with every declared part but `without`. */
function fakeCheckout(without: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-install-'));
  for (const f of ['scripts/install-helper.sh', 'scripts/stage-helper.sh', 'packaging/helper-parts']) {
    fs.mkdirSync(path.join(dir, path.dirname(f)), { recursive: true });
    fs.copyFileSync(path.join(ROOT, f), path.join(dir, f));
  }
  for (const p of declaredParts()) {
    if (p === without) continue;
    if (p.endsWith('/')) {
      fs.mkdirSync(path.join(dir, p), { recursive: true });
      if (p === 'out/main/') fs.writeFileSync(path.join(dir, p, 'helper.js'), '');
    } else {
      fs.mkdirSync(path.join(dir, path.dirname(p)), { recursive: true });
      fs.writeFileSync(path.join(dir, p), '');
    }
  }
  return dir;
}

describe.runIf(isRoot)('install-helper.sh', () => {
  const made: string[] = [];
  afterAll(() => {
    for (const d of made) fs.rmSync(d, { recursive: true, force: true });
  });

  for (const part of declaredParts()) {
    it(`refuses a checkout without ${part}, naming it, and installs nothing`, async () => {
      const before = fs.existsSync(INSTALL_DIR) ? fs.statSync(INSTALL_DIR).mtimeMs : null;
      const dir = fakeCheckout(part);
      made.push(dir);
      const err = await run('bash', [path.join(dir, 'scripts', 'install-helper.sh')]).then(
        () => null,
        (e: { code: number; stderr: string }) => e,
      );
      expect(err?.code).toBe(1);
      expect(err?.stderr).toContain(`missing: ${part}`);
      expect(fs.existsSync(INSTALL_DIR) ? fs.statSync(INSTALL_DIR).mtimeMs : null).toBe(before);
    });
  }
});
