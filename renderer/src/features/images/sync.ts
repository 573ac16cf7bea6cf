/**
 * `images.changed` → invalidate exactly what a store change can touch: the
 * image lists, the details and histories (tags moved, images gone), and the
 * layer analyses asked for by tag (an analysis by image ID cannot change).
 * `containers.changed` (create/rename/remove) → the lists, for "used by".
 *
 * Mounted once, app-wide (app/sync.ts), so lists seen later are never stale.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useEvent } from '../../app/client';
import { isImageId, layersKeys } from '../layers/keys';
import { imagesKeys } from './queries';

export function useImagesSync(): void {
  const qc = useQueryClient();
  useEvent('images.changed', () => {
    void qc.invalidateQueries({ queryKey: imagesKeys.lists() });
    void qc.invalidateQueries({ queryKey: imagesKeys.details() });
    void qc.invalidateQueries({ queryKey: imagesKeys.histories() });
    void qc.invalidateQueries({
      queryKey: layersKeys.analyses(),
      predicate: (q) => {
        const ref = q.queryKey[2];
        return typeof ref === 'string' && !isImageId(ref);
      },
    });
  });
  // "Used by" is the containers created from an image: it changes when one is created, renamed or removed.
  useEvent('containers.changed', (e) => {
    if (e.action === 'create' || e.action === 'remove' || e.action === 'rename') {
      void qc.invalidateQueries({ queryKey: imagesKeys.lists() });
    }
  });
}
