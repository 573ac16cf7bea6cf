/** The helper's volumes feature: volumes.* on the engine's volume store. */
import { DiskMeter } from '../../../engine/storage/du';
import type { VolumeRecord, VolumeStore } from '../../../engine/volumes/store';
import type { HandlersFor, HelperServices } from '../handlers';
import { engineFor } from './containers';

type VolumesMethod = 'volumes.create' | 'volumes.list' | 'volumes.inspect' | 'volumes.remove';

async function describe(store: VolumeStore, rec: VolumeRecord, size: boolean) {
  return store.describe(rec, size ? await new DiskMeter().measure(store.dir(rec.name)) : null);
}

export function volumeHandlers(s: HelperServices): HandlersFor<VolumesMethod> {
  const v = async (): Promise<VolumeStore> => (await engineFor(s)).volumes;
  return {
    'volumes.create': async (p) => {
      const store = await v();
      const { record } = store.create({ ...(p.name ? { name: p.name } : {}), labels: p.labels });
      return describe(store, record, false);
    },
    'volumes.list': async (p) => {
      const store = await v();
      const out = [];
      for (const e of store.list()) {
        if (e.kind === 'ok') out.push(await describe(store, e.record, p.size));
        else s.log(`volume ${e.name}: ${e.reason}`);
      }
      return out;
    },
    'volumes.inspect': async (p) => {
      const store = await v();
      return describe(store, store.get(p.name), p.size);
    },
    'volumes.remove': async (p) => {
      await (await v()).remove(p.name);
      return { name: p.name };
    },
  };
}
