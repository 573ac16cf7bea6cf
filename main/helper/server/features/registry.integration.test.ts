/**
 * Pull and push through the whole stack: the CLI, the router, a real helper
 * and the store, against Debian's docker-registry on loopback.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_JS, isRoot, startTestHelper, type TestHelper } from '../../../testing/helper-process';
import { registryToolsMissing, startTestRegistry, type TestRegistry } from '../../../testing/registry';
import { writeBusyboxImage } from '../../../testing/busybox-image';

const run = promisify(execFile);
const missing = registryToolsMissing();
if (missing) console.log(`registry integration skipped: ${missing}`);

describe.runIf(isRoot && !missing)('pull and push through the helper', () => {
  let h: TestHelper;
  let reg: TestRegistry;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-pushpull-'));
  const cli = (...args: string[]) =>
    run(process.execPath, [CLI_JS, ...args, '--no-start'], {
      env: { ...process.env, BERTH_HELPER_SOCKET: h.socketPath },
    });

  beforeAll(async () => {
    [h, reg] = await Promise.all([startTestHelper(), startTestRegistry({ mode: 'anonymous' })]);
    await writeBusyboxImage(path.join(dir, 'bb.tar'), 'busybox:latest');
    await cli('load', '-i', path.join(dir, 'bb.tar'));
  });
  afterAll(async () => {
    await h?.stop();
    await reg?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('pushes a stored image, removes it, pulls it back with the same id and layers', async () => {
    const target = `${reg.host}/e2e/busybox:1`;
    await cli('tag', 'busybox:latest', target);
    const pushed = await cli('push', target);
    expect(pushed.stdout).toMatch(/digest: sha256:[0-9a-f]{64}/);
    const listBefore = (await cli('images', '--format', 'json')).stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { ID: string; Repository: string });
    const id = listBefore.find((i) => i.Repository.endsWith('e2e/busybox'))!.ID;
    await cli('rmi', target);
    await cli('rmi', 'busybox:latest');
    const pulled = await cli('pull', target);
    expect(pulled.stdout).toContain('Status: Downloaded');
    expect(pulled.stdout).toMatch(/Downloading|Download complete|Already exists/);
    const listAfter = (await cli('images', '--format', 'json')).stdout;
    expect(listAfter).toContain(id);
    // And it runs: the pulled layers are unpacked and usable as lowerdirs.
    const ran = await cli('run', '--rm', '--network', 'none', target, 'cat', '/var/www/index.html');
    expect(ran.stdout).toBe('hello from a berth container\n');
  });

  it('a missing image gives the registry error with its code', async () => {
    await expect(cli('pull', `${reg.host}/nope/nothing:1`)).rejects.toMatchObject({
      stderr: expect.stringContaining('Error REGISTRY_NOT_FOUND'),
    });
  });
});
