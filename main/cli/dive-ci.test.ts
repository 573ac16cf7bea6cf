import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imagesMainHandlers } from '../api/features/images';
import { EventHub } from '../api/event-hub';
import { Router, type HelperCaller, type MainHandlers } from '../api/router';
import type { Backend } from '../api/backend';
import { dockerSaveParts, makeLayer, writeArchive } from '../testing/oci/image-archive';
import { makeTmp, rmrf } from '../testing/oci/helpers';
import type { CliContext } from './command';
import { imageCommands } from './commands/images';
import {
  evaluateRules,
  formatCiReport,
  loadDiveCiFile,
  parseDiveBytes,
  readDiveCiFile,
  resolveThresholds,
} from './dive-ci';

describe('dive CI rules', () => {
  it("uses dive's defaults: lowestEfficiency 0.9, highestUserWastedPercent 0.1, highestWastedBytes disabled", () => {
    expect(resolveThresholds({}, {})).toEqual({
      lowestEfficiency: 0.9,
      highestWastedBytes: null,
      highestUserWastedPercent: 0.1,
    });
  });

  it('reads sizes as dive does (SI and IEC units) and refuses nonsense', () => {
    expect(parseDiveBytes('20MB')).toBe(20_000_000);
    expect(parseDiveBytes('20MiB')).toBe(20 * 1024 * 1024);
    expect(parseDiveBytes('1.5 kB')).toBe(1500);
    expect(parseDiveBytes('512')).toBe(512);
    expect(() => parseDiveBytes('lots')).toThrow(expect.objectContaining({ code: 'USAGE' }));
    expect(() => resolveThresholds({}, { lowestEfficiency: 'high' })).toThrow(/invalid ratio for lowestEfficiency/);
  });

  it('takes a .dive-ci file, with flags winning over it and "disabled" skipping a rule', () => {
    const file = readDiveCiFile(
      'rules:\n  lowestEfficiency: 0.95\n  highestWastedBytes: 20MB\n  highestUserWastedPercent: disabled\n',
      '.dive-ci',
    );
    expect(resolveThresholds(file, {})).toEqual({
      lowestEfficiency: 0.95,
      highestWastedBytes: 20_000_000,
      highestUserWastedPercent: null,
    });
    expect(resolveThresholds(file, { lowestEfficiency: '0.5' }).lowestEfficiency).toBe(0.5);
    expect(() => readDiveCiFile('rules:\n  lowestEfficency: 0.9\n', 'f')).toThrow(/unknown rule lowestEfficency/);
    expect(() => readDiveCiFile('rules: [1]\n: :', 'f')).toThrow(expect.objectContaining({ code: 'USAGE' }));
    expect(readDiveCiFile('', 'f')).toEqual({});
  });

  it('prints one line per rule and dive’s verdict line', () => {
    const facts = { efficiency: 0.8, wastedBytes: 3_000_000, wastedUserPercent: 0.05 };
    const results = evaluateRules(facts, resolveThresholds({}, { highestWastedBytes: '1MB' }));
    expect(formatCiReport(results)).toBe(
      [
        '  Results:',
        '    FAIL: lowestEfficiency: image efficiency is too low (efficiency=0.8 < threshold=0.9)',
        '    FAIL: highestWastedBytes: too many bytes wasted (wasted-bytes=3000000 > threshold=1000000)',
        '    PASS: highestUserWastedPercent',
        '  Result:FAIL [Total:3] [Passed:1] [Failed:2] [Warn:0] [Skipped:0]',
        '',
      ].join('\n'),
    );
    const skipped = evaluateRules(facts, resolveThresholds({}, { lowestEfficiency: 'disabled' }));
    expect(formatCiReport(skipped)).toContain('    SKIP: lowestEfficiency: rule disabled\n');
    expect(formatCiReport(skipped)).toContain('  Result:PASS [Total:3] [Passed:1] [Failed:0] [Warn:0] [Skipped:2]');
  });
});

describe('berth layers --ci on an archive', () => {
  let tmp = '';
  let archive = '';

  beforeAll(async () => {
    tmp = makeTmp('berth-dive-ci-');
    archive = path.join(tmp, 'wasteful.tar');
    // A base, then a layer rewriting a 100 kB file: efficiency ~0.5, 200 kB wasted, far over 10 % of the user bytes.
    const base = await makeLayer(
      [
        { path: 'big', body: 'x'.repeat(100_000) },
        { path: 'keep', body: 'k' },
      ],
      'none',
    );
    const top = await makeLayer([{ path: 'big', body: 'y'.repeat(100_000) }], 'none');
    await writeArchive(archive, dockerSaveParts([base, top], { tag: 't/waste:1' }).members);
  });
  afterAll(() => rmrf(tmp));

  const layers = (...args: string[]) => run(args);

  it('fails (exit 1) on dive’s default rules, naming each rule', async () => {
    const r = await layers('--ci', archive);
    expect(r.code).toBe(1);
    expect(r.out).toContain('Image efficiency score:');
    expect(r.out).toMatch(
      /FAIL: lowestEfficiency: image efficiency is too low \(efficiency=0\.5\d* < threshold=0\.9\)/,
    );
    expect(r.out).toContain('SKIP: highestWastedBytes: rule disabled');
    expect(r.out).toMatch(/FAIL: highestUserWastedPercent: too many bytes wasted/);
    expect(r.out).toContain('Result:FAIL [Total:3] [Passed:0] [Failed:2] [Warn:0] [Skipped:1]');
  });

  it('passes (exit 0) with looser rules from flags or from a .dive-ci file; JSON stays alone on stdout', async () => {
    const loose = await layers('--ci', '--lowest-efficiency', '0.4', '--highest-user-wasted-percent=5', archive);
    expect(loose.code).toBe(0);
    expect(loose.out).toContain('Result:PASS [Total:3] [Passed:2] [Failed:0] [Warn:0] [Skipped:1]');

    const config = path.join(tmp, 'ci.yaml');
    fs.writeFileSync(
      config,
      'rules:\n  lowestEfficiency: 0.4\n  highestWastedBytes: 1MB\n  highestUserWastedPercent: disabled\n',
    );
    const fromFile = await layers('--ci', '--ci-config', config, '--format', 'json', archive);
    expect(fromFile.code).toBe(0);
    expect(JSON.parse(fromFile.out)).toMatchObject({ wastedBytes: 200_000 });
    expect(fromFile.err).toContain('PASS: highestWastedBytes');
    expect(fromFile.err).toContain('SKIP: highestUserWastedPercent: rule disabled');
    const strict = await layers('--ci', '--ci-config', config, '--highestWastedBytes', '100kB', archive);
    expect(strict.code).toBe(1);
    expect(strict.out).toContain(
      'FAIL: highestWastedBytes: too many bytes wasted (wasted-bytes=200000 > threshold=100000)',
    );
  });

  it('reads .dive-ci from the working directory; a rule flag without --ci is a usage error', async () => {
    expect(loadDiveCiFile(undefined, tmp)).toEqual({});
    fs.writeFileSync(path.join(tmp, '.dive-ci'), 'rules:\n  lowestEfficiency: 0.3\n');
    expect(loadDiveCiFile(undefined, tmp)).toEqual({ lowestEfficiency: '0.3' });
    expect(() => loadDiveCiFile(path.join(tmp, 'missing'), tmp)).toThrow(expect.objectContaining({ code: 'USAGE' }));
    await expect(layers('--lowest-efficiency', '0.5', archive)).rejects.toMatchObject({ code: 'USAGE' });
  });
});

describe('berth layers --compare', () => {
  it('prints what changed between two archives (docker diff letters) and the size delta; JSON too', async () => {
    const tmp = makeTmp('berth-compare-');
    try {
      const base = await makeLayer(
        [
          { path: 'etc/a', body: 'aaaa' },
          { path: 'etc/b', body: 'bb' },
        ],
        'none',
      );
      const v1 = path.join(tmp, 'v1.tar');
      const v2 = path.join(tmp, 'v2.tar');
      await writeArchive(v1, dockerSaveParts([base], { tag: 't/app:1' }).members);
      const top = await makeLayer(
        [
          { path: 'etc/a', body: 'aaaaaaaa' },
          { path: 'etc/.wh.b', body: '' },
          { path: 'new', body: 'n' },
        ],
        'none',
      );
      await writeArchive(v2, dockerSaveParts([base, top], { tag: 't/app:2' }).members);
      const human = await run(['--compare', v1, v2]);
      expect(human.code).toBe(0);
      expect(human.out).toContain(`Comparing ${v1} → ${v2}`);
      expect(human.out).toContain('Added: 1  Changed: 1  Removed: 1');
      expect(human.out).toMatch(/^C \/etc\/a \(4 B → 8 B\)$/m);
      expect(human.out).toMatch(/^D \/etc\/b$/m);
      expect(human.out).toMatch(/^A \/new$/m);
      expect(human.out).toMatch(/^Files in the final tree: 6 B → 9 B \(\+3 B\)$/m);
      const json = JSON.parse((await run(['--compare', v1, v2, '--format', 'json'])).out) as {
        added: Array<{ path: string }>;
        sizeBytes: { delta: number };
        filesBytes: { delta: number };
      };
      expect(json.added.map((f) => f.path)).toEqual(['/new']);
      expect(json.filesBytes.delta).toBe(3);
      expect(json.sizeBytes.delta).toBe(9);
    } finally {
      rmrf(tmp);
    }
  });
});

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const helper: HelperCaller = { call: () => Promise.reject(new Error('no helper in this test')) };
  const hub = new EventHub();
  const router = new Router(
    imagesMainHandlers({ helper, hub, helperState: () => ({ state: 'stopped' }) as never }) as unknown as MainHandlers,
    helper,
  );
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  const ctx: CliContext = { backend: () => ({ router, hub }) as unknown as Backend, autoStart: false, stdout, stderr };
  const code = await imageCommands.find((c) => c.name === 'layers')!.run(args, ctx);
  return { code, out, err };
}
