/**
 * The import boundaries (eslint.boundaries.js) fail `npm run lint`: each rule
 * fires on a file that crosses its line and stays quiet on the imports the
 * line allows, through the same ESLint config `npm run lint` loads. And every
 * file of each bound area is bound (no folder too deep for the generated blocks).
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');

interface Boundary {
  name: string;
  from: string[];
  bindTests?: boolean;
}

let eslint: ESLint;
beforeAll(() => {
  eslint = new ESLint({ cwd: ROOT });
});

/** The boundary rules that fire on `import '<spec>'` in a file at `file` (which need not exist). */
async function firing(file: string, spec: string): Promise<string[]> {
  const [result] = await eslint.lintText(`import '${spec}';\n`, { filePath: path.join(ROOT, file) });
  return (result?.messages ?? []).map((m) => m.ruleId ?? m.message).filter((id) => id.startsWith('boundaries/'));
}

// [file, import, the rule that must fire or null for none]
const CASES: Array<[string, string, string | null]> = [
  ['renderer/src/features/images/Probe.tsx', '../../../../main/engine/images/digest', 'renderer-imports-preload'],
  ['renderer/src/features/images/Probe.tsx', '../../../../native/index', 'renderer-imports-preload'],
  ['renderer/src/features/images/Probe.tsx', 'electron', 'renderer-imports-preload'],
  ['renderer/src/features/images/probe.test.ts', '../../../../main/shared/mutex', 'renderer-imports-preload'],
  ['renderer/src/features/images/Probe.tsx', '../../../../preload/contract', null],
  ['renderer/src/features/images/Probe.tsx', '../../app/query', null],
  ['renderer/src/features/images/Probe.tsx', '@tanstack/react-query', null],

  ['preload/contract.ts', '../main/api/router', 'contract-imports-nothing'],
  ['preload/schemas/probe.ts', '../../main/shared/validate', 'contract-imports-nothing'],
  ['preload/schemas/probe.ts', '../../renderer/src/app/query', 'contract-imports-nothing'],
  ['preload/contract.ts', './schemas/images', null],
  ['preload/schemas/probe.ts', '../errors', null],
  ['preload/schemas/probe.ts', 'zod', null],

  ['main/api/features/probe.ts', '../../engine/images/store/lock', 'main-no-engine'],
  ['main/api/features/probe.ts', '../../helper/server/handlers', 'main-no-engine'],
  ['main/api/probe.ts', '../../main/engine/cgroups/history', 'main-no-engine'],
  ['main/ipc/probe.ts', '../engine/cgroups/history', 'main-no-engine'],
  ['main/index.ts', './engine/resources/service', 'main-no-engine'],
  ['main/api/features/probe.ts', '../../engine/layers/analyze', null],
  ['main/api/features/probe.ts', '../../engine/oci/tar/reader', null],
  ['main/api/features/probe.ts', '../../helper/client/connection', null],
  ['main/api/features/probe.ts', '../../shared/mutex', null],
  ['main/index.ts', './api/backend', null],
  // Tests may set up fixtures across the line; they never ship.
  ['main/api/features/probe.test.ts', '../../engine/images/testdata/busybox-image', null],

  ['main/helper/client/probe.ts', '../server/handlers', 'helper-client-user-side'],
  ['main/helper/client/probe.ts', '../../engine/resources/service', 'helper-client-user-side'],
  ['main/helper/client/probe.ts', '../../shared/sample-wire', null],
  ['main/helper/client/probe.ts', '../../api/router', null],

  ['main/engine/containers/probe.ts', '../../ipc/web', 'engine-no-transports'],
  ['main/engine/containers/probe.ts', '../../api/router', 'engine-no-transports'],
  ['main/engine/containers/probe.ts', '../../helper/client/connection', 'engine-no-transports'],
  ['main/engine/images/store/probe.ts', '../../../helper/server/handlers', 'engine-no-transports'],
  ['main/engine/containers/probe.ts', 'electron', 'engine-no-transports'],
  ['main/engine/containers/probe.ts', '../../shared/mutex', null],
  ['main/engine/containers/probe.ts', '../cgroups/driver', null],

  ['main/shared/probe.ts', '../engine/cgroups/history', 'shared-unprivileged'],
  ['main/shared/probe.ts', '../helper/client/connection', 'shared-unprivileged'],
  ['main/shared/probe.ts', '../../preload/errors', null],

  ['main/engine/oci/probe.ts', '../images/store/store', 'oci-is-the-base'],
  ['main/engine/oci/probe.ts', '../layers/analyze', 'oci-is-the-base'],
  ['main/engine/oci/probe.ts', '../containers/runtime', 'oci-is-the-base'],
  ['main/engine/oci/probe.ts', '../../engine/images/load', 'oci-is-the-base'],
  ['main/engine/oci/tar/probe.ts', '../../images/load', 'oci-is-the-base'],
  ['main/engine/oci/probe.ts', '../../ipc/web', 'engine-no-transports'],
  ['main/engine/oci/probe.ts', './digest', null],
  ['main/engine/oci/tar/probe.ts', '../digest', null],
  ['main/engine/oci/probe.ts', '../../shared/device-syntax', null],
  ['main/engine/oci/probe.ts', '../../../preload/errors', null],

  ['main/engine/layers/probe.ts', '../images/load', 'layers-no-images'],
  ['main/engine/layers/probe.ts', '../../engine/images/store/store', 'layers-no-images'],
  ['main/engine/layers/sub/probe.ts', '../../images/reference', 'layers-no-images'],
  ['main/engine/layers/probe.ts', '../oci/digest', null],
  ['main/engine/layers/sub/probe.ts', '../../oci/tar/reader', null],

  ['main/engine/volumes/probe.ts', '../containers/manager', 'volumes-below-containers'],
  ['main/engine/volumes/probe.ts', '../../engine/images/store/store', 'volumes-below-containers'],
  ['main/engine/volumes/probe.ts', '../system/disk-section', 'volumes-below-containers'],
  ['main/engine/volumes/probe.ts', '../storage/atomic-file', null],
];

describe('import boundaries', () => {
  it.each(CASES)('%s importing %s: %s', async (file, spec, rule) => {
    expect(await firing(file, spec)).toEqual(rule ? [`boundaries/${rule}`] : []);
  });

  it('binds every file of every bound area', async () => {
    const mod = (await import(pathToFileURL(path.join(ROOT, 'eslint.boundaries.js')).href)) as {
      BOUNDARIES: Boundary[];
    };
    const shipped = (f: string): boolean => !/\.test\.tsx?$|\.typecheck\.ts$|\/testdata\//.test(f);
    const unbound: string[] = [];
    let checked = 0;
    for (const b of mod.BOUNDARIES) {
      for (const area of b.from) {
        const files = fs.statSync(path.join(ROOT, area)).isDirectory()
          ? fs
              .readdirSync(path.join(ROOT, area), { recursive: true, encoding: 'utf8' })
              .filter((f) => /\.tsx?$/.test(f))
              .map((f) => path.join(area, f))
          : [area];
        for (const f of files.filter((f) => b.bindTests || shipped(f))) {
          const config = (await eslint.calculateConfigForFile(path.join(ROOT, f))) as {
            rules?: Record<string, unknown>;
          };
          checked++;
          if (!config.rules?.[`boundaries/${b.name}`]) unbound.push(`${b.name}: ${f}`);
        }
      }
    }
    expect(checked).toBeGreaterThan(200);
    expect(unbound).toEqual([]);
  });
});
