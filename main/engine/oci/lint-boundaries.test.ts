/**
 * The image-layer boundaries of eslint.config.js fire: engine/oci imports
 * nothing of main/ but oci and main/shared, engine/layers never imports
 * engine/images. Lints synthetic files through the real config.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const RULE = '@typescript-eslint/no-restricted-imports';

let eslint: ESLint;

/** The boundary messages for one re-export of `spec` from a file at `file` (repo-relative). */
async function boundaryErrors(file: string, spec: string): Promise<string[]> {
  const [result] = await eslint.lintText(`export { x } from '${spec}';\n`, { filePath: path.join(repoRoot, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === RULE).map((m) => m.message);
}

beforeAll(() => {
  eslint = new ESLint({ cwd: repoRoot });
});

describe('engine/oci imports only oci and main/shared', () => {
  it.each([
    ['main/engine/oci/x.ts', '../images/store/store'],
    ['main/engine/oci/x.ts', '../layers/analyze'],
    ['main/engine/oci/x.ts', '../containers/runtime'],
    ['main/engine/oci/x.ts', '../../ipc/web'],
    ['main/engine/oci/x.ts', '../../helper/features/images'],
    ['main/engine/oci/x.ts', '../../engine/images/load'],
    ['main/engine/oci/tar/x.ts', '../../images/load'],
    ['main/engine/oci/tar/x.ts', '../../../api/router'],
    ['main/engine/oci/testdata/x.ts', '../../layers/filetree'],
  ])('%s may not import %s', async (file, spec) => {
    expect(await boundaryErrors(file, spec)).toHaveLength(1);
  });

  it.each([
    ['main/engine/oci/x.ts', './digest'],
    ['main/engine/oci/x.ts', './tar/reader'],
    ['main/engine/oci/x.ts', '../../shared/device-syntax'],
    ['main/engine/oci/x.ts', '../images/errors'],
    ['main/engine/oci/x.ts', '../../../preload/errors'],
    ['main/engine/oci/tar/x.ts', '../digest'],
    ['main/engine/oci/tar/x.ts', '../../images/errors'],
    ['main/engine/oci/tar/x.ts', '../../../shared/device-syntax'],
  ])('%s may import %s', async (file, spec) => {
    expect(await boundaryErrors(file, spec)).toEqual([]);
  });
});

describe('engine/layers never imports engine/images', () => {
  it.each([
    ['main/engine/layers/x.ts', '../images/load'],
    ['main/engine/layers/x.ts', '../images/errorsx'],
    ['main/engine/layers/x.ts', '../../engine/images/store/store'],
    ['main/engine/layers/sub/x.ts', '../../images/reference'],
  ])('%s may not import %s', async (file, spec) => {
    expect(await boundaryErrors(file, spec)).toHaveLength(1);
  });

  it.each([
    ['main/engine/layers/x.ts', '../oci/digest'],
    ['main/engine/layers/x.ts', './filetree'],
    ['main/engine/layers/x.ts', '../images/errors'],
    ['main/engine/layers/sub/x.ts', '../../oci/tar/reader'],
  ])('%s may import %s', async (file, spec) => {
    expect(await boundaryErrors(file, spec)).toEqual([]);
  });
});

describe('every file of engine/oci and engine/layers is bound', () => {
  it('the blocks reach every folder depth that exists', async () => {
    const files = ['main/engine/oci', 'main/engine/layers'].flatMap((dir) =>
      fs
        .readdirSync(path.join(repoRoot, dir), { recursive: true, encoding: 'utf8' })
        .filter((f) => /\.tsx?$/.test(f))
        .map((f) => path.join(repoRoot, dir, f)),
    );
    expect(files.length).toBeGreaterThan(30);
    const unbound: string[] = [];
    for (const file of files) {
      const config = (await eslint.calculateConfigForFile(file)) as { rules?: Record<string, unknown> };
      if (config.rules?.[RULE] === undefined) unbound.push(path.relative(repoRoot, file));
    }
    expect(unbound).toEqual([]);
  });
});
