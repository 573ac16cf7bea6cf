/** The helper's commit feature: containers.commit on the engine (engine/images/commit.ts). */
import { lgetxattr } from '../../../../native/index';
import { commitContainer } from '../../../engine/images/commit';
import { familiarize } from '../../../engine/images/reference';
import type { HandlersFor, HelperServices } from '../handlers';
import { engineFor } from './containers';

export function commitHandlers(s: HelperServices): HandlersFor<'containers.commit'> {
  return {
    'containers.commit': async (p) => {
      const { manager, images } = await engineFor(s);
      const t = manager.fsTarget(p.id);
      const r = t.record;
      const pause = (p.pause ?? true) && r.state === 'running';
      if (pause) await manager.pause(r.id);
      let done;
      try {
        done = await commitContainer({
          store: images,
          upperDir: t.upperDir,
          imageId: r.imageId,
          run: r.config,
          idRange: r.idRange ?? null,
          getXattr: lgetxattr,
          ...(p.author !== undefined ? { author: p.author } : {}),
          ...(p.message !== undefined ? { message: p.message } : {}),
          ...(p.changes ? { changes: p.changes } : {}),
          ...(p.repo !== undefined ? { tag: p.repo } : {}),
          createdBy: `berth commit ${r.name}${p.changes?.length ? ` -c ${p.changes.join(' -c ')}` : ''}`,
        });
      } finally {
        if (pause) await manager.unpause(r.id).catch(() => undefined);
      }
      s.emit('images.changed', { reason: 'load', ids: [done.id] });
      s.log(`images: committed ${r.name} as ${done.id.slice(7, 19)} ${done.tags.join(',')}`);
      return { id: done.id, manifestDigest: done.manifestDigest, tags: done.tags.map(familiarize) };
    },
  };
}
