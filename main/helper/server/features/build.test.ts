import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeLeftContexts } from './build';

describe('removeLeftContexts', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-contexts-'));
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('removes the tars and unpacked dirs a previous helper left, and nothing outside the contexts dir', async () => {
    const contexts = path.join(root, 'contexts');
    fs.mkdirSync(path.join(contexts, 'aa.d', 'src', 'deep'), { recursive: true });
    fs.writeFileSync(path.join(contexts, 'aa.d', 'src', 'deep', 'f.txt'), 'x');
    fs.writeFileSync(path.join(contexts, 'aa.tar'), 'tar');
    fs.writeFileSync(path.join(contexts, 'bb.tar'), 'tar');
    const outside = path.join(root, 'keep.txt');
    fs.writeFileSync(outside, 'keep');
    // A symlink in a left context is removed, never followed.
    fs.symlinkSync(root, path.join(contexts, 'aa.d', 'up'));
    const logged: string[] = [];
    await removeLeftContexts(contexts, (m) => logged.push(m));
    expect(fs.readdirSync(contexts)).toEqual([]);
    expect(fs.readFileSync(outside, 'utf8')).toBe('keep');
    expect(logged).toEqual([]);
  });

  it('does nothing when there is no contexts dir yet', async () => {
    await expect(removeLeftContexts(path.join(root, 'none'), () => undefined)).resolves.toBeUndefined();
  });
});
