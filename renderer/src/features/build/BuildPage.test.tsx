/**
 * The Build page against a scripted `window.berth`: a folder dropped in the
 * desktop app is built by path with its Containerfile in the editor, one
 * dropped in web mode is read through its directory entries and uploaded as
 * a tar, the options picked (tag, network, pull, no cache) are the
 * `build.run` request, their meaning is shown under them, and
 * `build.progress` events draw the steps with cache hits marked.
 */
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { Params, Result } from '../../../../preload/contract';
import { installFakeBerth, renderWithBerth } from '../../testing/render';
import { BuildPage } from './BuildPage';
import { pickedFolderPath } from './context-tar';
import type { DroppedEntry } from './dropped-folder';

const IMAGE = `sha256:${'ab'.repeat(32)}`;

/** A scripted directory entry (what webkitGetAsEntry gives for a dropped folder); readEntries answers in batches of 2. */
function dirEntry(name: string, kids: DroppedEntry[]): DroppedEntry {
  return {
    name,
    isFile: false,
    isDirectory: true,
    createReader: () => {
      let at = 0;
      return {
        readEntries: (ok) => {
          ok(kids.slice(at, at + 2));
          at += 2;
        },
      };
    },
  };
}

function fileEntry(name: string, body: string): DroppedEntry {
  return {
    name,
    isFile: true,
    isDirectory: false,
    file: (ok) => ok(new File([body], name, { lastModified: 1_700_000_000_000 })),
  };
}

const SITE = dirEntry('site', [
  fileEntry('Containerfile', 'FROM busybox\nCOPY public/ /srv/\n'),
  dirEntry('public', [fileEntry('index.html', '<h1>hi</h1>\n'), dirEntry('img', [fileEntry('a.png', 'png')])]),
  fileEntry('README', 'readme'),
]);

function setup(o: { desktop?: boolean } = {}) {
  let finish: ((r: Result<'build.run'>) => void) | null = null;
  const pending: Array<Params<'build.run'>> = [];
  const uploaded: number[] = [];
  // build.run answers when the test says so, so progress events come while it runs.
  const berth = installFakeBerth({
    'build.run': (p) => {
      pending.push(p);
      return new Promise((resolve) => {
        finish = resolve;
      });
    },
    'uploads.begin': ({ size }) => {
      uploaded.push(size);
      return { uploadId: 'up-1' };
    },
    'uploads.chunk': ({ offset, data }) => ({
      received: offset + (typeof data === 'string' ? atob(data).length : data.byteLength),
    }),
  });
  // The desktop app's preload: a dropped folder has a path.
  if (o.desktop !== false) window.berth!.getPathForFile = (f: File) => `/home/me/${f.name}`;
  renderWithBerth(<BuildPage />);
  const drop = (name: string, entry: DroppedEntry | null = null) => {
    const file = new File([''], name);
    fireEvent.drop(screen.getByRole('region', { name: 'Build' }), {
      dataTransfer: { files: [file], items: [{ webkitGetAsEntry: () => entry }] },
    });
  };
  return {
    berth,
    pending,
    uploaded,
    drop,
    finish: (r: Result<'build.run'>) => finish?.(r),
    user: userEvent.setup({ delay: null }),
  };
}

describe('BuildPage', () => {
  it('sends the picked options, pull included, as build.run and explains them', async () => {
    const { pending, drop, user } = setup();
    drop('site');
    expect(screen.getByTestId('build-context').textContent).toContain('/home/me/site');
    const help = screen.getByTestId('build-help');
    expect(help.textContent).toContain('Pull missing: a FROM image is fetched only when the store lacks it.');
    expect(help.textContent).toContain('ADD <URL> downloads from the host');

    const pull = screen.getByRole('combobox', { name: 'Pull' });
    expect([...(pull as HTMLSelectElement).options].map((o) => o.value)).toEqual(['missing', 'always', 'never']);
    await user.selectOptions(pull, 'always');
    await user.selectOptions(screen.getByRole('combobox', { name: 'Network' }), 'none');
    await user.type(screen.getByRole('textbox', { name: 'Tag' }), 'me/site:1');
    expect(help.textContent).toContain('Pull always: every FROM image is fetched from its registry again.');
    expect(help.textContent).toContain('an ADD <URL> is refused (BUILD_NETWORK_DISABLED)');

    await user.click(screen.getByRole('button', { name: 'Build' }));
    await waitFor(() => expect(pending).toHaveLength(1));
    const req = pending[0]!;
    expect(req.context).toEqual({ path: '/home/me/site' });
    expect(req.options).toEqual({
      tags: ['me/site:1'],
      buildArgs: {},
      noCache: false,
      network: 'none',
      pull: 'always',
    });
    expect(req.containerfile).toMatch(/^FROM busybox\n/);

    await user.selectOptions(pull, 'never');
    expect(help.textContent).toContain('Pull never: a FROM image must already be in the store.');
  });

  it('draws each step live, cache hits marked, and links the result to the Layer inspector', async () => {
    const { berth, pending, drop, finish, user } = setup();
    drop('ctx');
    await user.click(screen.getByRole('button', { name: 'Build' }));
    await waitFor(() => expect(pending).toHaveLength(1));
    const buildId = pending[0]!.buildId!;
    const base = { buildId, steps: 2, stage: '0' };
    berth.emit('build.progress', { ...base, kind: 'step', step: 1, instruction: 'FROM busybox' });
    berth.emit('build.progress', { ...base, kind: 'done', step: 1, instruction: 'FROM busybox', cached: false });
    berth.emit('build.progress', { ...base, kind: 'step', step: 2, instruction: 'RUN echo hi' });
    berth.emit('build.progress', { ...base, kind: 'log', step: 2, instruction: 'RUN echo hi', line: 'hi' });
    berth.emit('build.progress', { ...base, kind: 'done', step: 2, instruction: 'RUN echo hi', cached: true });
    // Another build's events are not this one's.
    berth.emit('build.progress', { ...base, buildId: 'other', kind: 'step', step: 3, instruction: 'RUN no' });
    const log = screen.getByTestId('build-log');
    const steps = await within(log).findAllByRole('listitem');
    expect(steps.map((s) => s.getAttribute('data-state'))).toEqual(['done', 'cached']);
    expect(steps[1]?.textContent).toContain('hi');
    expect(screen.getByRole('progressbar', { name: 'Build progress' }).getAttribute('value')).toBe('2');

    finish({
      buildId,
      imageId: IMAGE,
      tags: [],
      steps: [],
      cacheHits: 1,
      output: null,
    } as Result<'build.run'>);
    await waitFor(() => expect(log.getAttribute('data-phase')).toBe('done'));
    expect(screen.getByRole('link', { name: 'Inspect layers' }).getAttribute('href')).toContain(
      encodeURIComponent(IMAGE),
    );
  });

  it('a folder dropped in the desktop app is built by path, its Containerfile in the editor', async () => {
    const { pending, drop, user } = setup();
    drop('site', SITE);
    expect(screen.getByTestId('build-context').textContent).toBe('/home/me/site');
    const editor = screen.getByRole('textbox', { name: 'Containerfile' }) as HTMLTextAreaElement;
    await waitFor(() => expect(editor.value).toBe('FROM busybox\nCOPY public/ /srv/\n'));
    await user.click(screen.getByRole('button', { name: 'Build' }));
    await waitFor(() => expect(pending).toHaveLength(1));
    expect(pending[0]!.context).toEqual({ path: '/home/me/site' });
    expect(pending[0]!.containerfile).toBe('FROM busybox\nCOPY public/ /srv/\n');
  });

  it('a folder dropped in web mode is read through its entries and uploaded as a tar', async () => {
    const { pending, uploaded, drop, user } = setup({ desktop: false });
    drop('site', SITE);
    await waitFor(() =>
      expect(screen.getByTestId('build-context').textContent).toBe('site: 4 files (uploaded as a tar)'),
    );
    const editor = screen.getByRole('textbox', { name: 'Containerfile' }) as HTMLTextAreaElement;
    expect(editor.value).toBe('FROM busybox\nCOPY public/ /srv/\n');
    await user.click(screen.getByRole('button', { name: 'Build' }));
    await waitFor(() => expect(pending).toHaveLength(1));
    expect(pending[0]!.context).toEqual({ uploadId: 'up-1' });
    // 4 files and 2 directories (public/, public/img/): a header each, 4 one-block bodies, 2 end blocks.
    expect(uploaded).toEqual([512 * (4 + 2 + 4 + 2)]);
  });

  it('a dropped file that is not a folder is refused with a reason', () => {
    const { drop } = setup({ desktop: false });
    drop('Containerfile', fileEntry('Containerfile', 'FROM x'));
    expect(screen.getByRole('alert').textContent).toContain('Containerfile is not a folder');
    expect(screen.getByRole('button', { name: 'Build' }).hasAttribute('disabled')).toBe(true);
  });

  it('a folder picked in the desktop app is built by its path, not uploaded', async () => {
    const { pending, uploaded, user } = setup();
    const files = [new File(['FROM busybox\nRUN true\n'], 'Containerfile'), new File(['x'], 'a.txt')];
    const rels = ['site/Containerfile', 'site/sub/a.txt'];
    files.forEach((f, i) => Object.defineProperty(f, 'webkitRelativePath', { value: rels[i] }));
    window.berth!.getPathForFile = (f: File) =>
      `/home/me/${(f as File & { webkitRelativePath: string }).webkitRelativePath}`;
    await user.upload(screen.getByLabelText('Context folder'), files);
    expect(screen.getByTestId('build-context').textContent).toBe('/home/me/site');
    const editor = screen.getByRole('textbox', { name: 'Containerfile' }) as HTMLTextAreaElement;
    await waitFor(() => expect(editor.value).toBe('FROM busybox\nRUN true\n'));
    await user.click(screen.getByRole('button', { name: 'Build' }));
    await waitFor(() => expect(pending).toHaveLength(1));
    expect(pending[0]!.context).toEqual({ path: '/home/me/site' });
    expect(uploaded).toEqual([]);
  });

  it('finds the picked folder from a file path and its relative path', () => {
    expect(pickedFolderPath('/home/me/site/sub/a.txt', 'site/sub/a.txt')).toBe('/home/me/site');
    expect(pickedFolderPath('/site/a', 'site/a')).toBe('/site');
    expect(pickedFolderPath('', 'site/a')).toBe('');
    expect(pickedFolderPath('/elsewhere/b', 'site/a')).toBe('');
    expect(pickedFolderPath('/x/mysite/a', 'site/a')).toBe('');
  });

  it('sends build args and a target; a bad build-arg line is named and blocks the build', async () => {
    const { pending, drop, user } = setup();
    drop('site');
    const args = screen.getByRole('textbox', { name: 'Build args' });
    await user.type(args, 'GREETING=hi there{enter}1BAD=x');
    expect(screen.getByRole('alert').textContent).toBe('Build args: line 2: 1BAD: not an ARG name');
    expect(screen.getByRole('button', { name: 'Build' }).hasAttribute('disabled')).toBe(true);
    await user.clear(args);
    await user.type(args, 'GREETING=hi there{enter}N=2');
    expect(screen.queryByRole('alert')).toBeNull();
    await user.type(screen.getByRole('textbox', { name: 'Target stage' }), ' final ');
    await user.click(screen.getByRole('button', { name: 'Build' }));
    await waitFor(() => expect(pending).toHaveLength(1));
    expect(pending[0]!.options).toMatchObject({ buildArgs: { GREETING: 'hi there', N: '2' }, target: 'final' });
  });
});
