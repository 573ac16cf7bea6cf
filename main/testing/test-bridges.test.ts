/**
 * Integration files run side by side (vitest.config.ts): each file's test
 * bridge must have a second octet no other file uses, or two helpers could
 * bring up bridges on one subnet and take each other's packets.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');

describe('test bridges', () => {
  it("every file's testBridge(prefix, octet) has a second octet of its own", () => {
    const files = execFileSync('git', ['ls-files', '*.test.ts'], { cwd: ROOT, encoding: 'utf8' })
      .split('\n')
      .filter(Boolean);
    const byOctet = new Map<number, string[]>();
    for (const f of files) {
      const text = fs.readFileSync(path.join(ROOT, f), 'utf8');
      for (const m of text.matchAll(/testBridge\('[a-z]+', (\d+)\)/g)) {
        const octet = Number(m[1]);
        const users = byOctet.get(octet) ?? [];
        if (!users.includes(f)) byOctet.set(octet, [...users, f]);
      }
    }
    expect(byOctet.size).toBeGreaterThan(10);
    expect([...byOctet].filter(([, users]) => users.length > 1)).toEqual([]);
  });
});
