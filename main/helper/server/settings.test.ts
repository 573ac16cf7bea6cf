import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { applyConfig, defaultSettings, readConfigFile } from './settings';

const isRoot = process.getuid?.() === 0;
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
function file(text: string, mode = 0o644): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-settings-'));
  dirs.push(d);
  const f = path.join(d, 'helper.json');
  fs.writeFileSync(f, text, { mode });
  fs.chmodSync(f, mode);
  return f;
}

describe('helper settings', () => {
  it('defaults: 10 minutes idle, 64 KiB scrollback, archive caps', () => {
    const s = defaultSettings();
    expect(s.sessions.idleMs).toBe(600_000);
    expect(s.sessions.scrollbackBytes).toBe(65536);
    expect(s.archive.metadataBytes).toBeGreaterThan(0);
  });

  it('a missing file is no config; flags override the file', () => {
    expect(readConfigFile('/nonexistent/berth/helper.json')).toBeNull();
    const s = defaultSettings();
    applyConfig(s, { sessionIdleSeconds: 30, archive: { layerBytes: 5 } });
    applyConfig(s, { archive: { layerBytes: 7 } });
    expect(s.sessions.idleMs).toBe(30_000);
    expect(s.archive.layerBytes).toBe(7);
    expect(s.archive.imageBytes).toBe(defaultSettings().archive.imageBytes);
  });

  it.runIf(isRoot)('reads a root-owned file; refuses one others may write, unknown keys and bad JSON', () => {
    expect(readConfigFile(file('{"sessionIdleSeconds": 60, "archive": {"imageBytes": 1000}}'))).toEqual({
      sessionIdleSeconds: 60,
      archive: { imageBytes: 1000 },
    });
    expect(() => readConfigFile(file('{}', 0o666))).toThrow(expect.objectContaining({ code: 'CONFIG_UNSAFE' }));
    expect(() => readConfigFile(file('{"sessionIdle": 1}'))).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    );
    expect(() => readConfigFile(file('{'))).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    expect(() => readConfigFile(file('{"archive": {"layerBytes": -1}}'))).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    );
  });
});
