import { QueryClient } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import type { MethodName, Params, Result } from '../../../../preload/contract';
import { encodeChanges, type ChangeObject } from '../../../../preload/schemas/changes-wire';
import type { BerthClient } from '../../app/client';
import { layersKeys } from './keys';
import { layersQueries, type StoreAnalysis } from './queries';

const CHANGES: ChangeObject[] = [
  { path: '/etc', type: 'dir', size: 0, mode: 0o755, uid: 0, gid: 0, linkname: '', change: 'added' },
  { path: '/etc/hosts', type: 'file', size: 5, mode: 0o644, uid: 0, gid: 0, linkname: '', change: 'added' },
];
const SUMMARY = { configDigest: `sha256:${'a'.repeat(64)}`, layers: [{ index: 0 }], analysisId: 'c'.repeat(32) };

describe('layersQueries.analysis (a store image, summary first)', () => {
  it('puts the summary in the cache before it asks for the change lists, then the decoded analysis', async () => {
    const qc = new QueryClient();
    const calls: string[] = [];
    let whileFetchingChanges: StoreAnalysis | undefined;
    const client = {
      invoke<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>> {
        calls.push(method);
        if (method === 'layers.summarizeImage') {
          expect(params).toEqual({ ref: 'busybox:latest' });
          return Promise.resolve(SUMMARY as unknown as Result<M>);
        }
        expect(params).toEqual({ analysisId: SUMMARY.analysisId });
        whileFetchingChanges = qc.getQueryData(layersKeys.analysis('busybox:latest'));
        return Promise.resolve({ layers: [encodeChanges(CHANGES)] } as unknown as Result<M>);
      },
    } as unknown as BerthClient;
    const data = await qc.fetchQuery(layersQueries.analysis(client, 'busybox:latest'));
    expect(calls).toEqual(['layers.summarizeImage', 'layers.changes']);
    expect(whileFetchingChanges).toEqual({ summary: SUMMARY, analysis: null });
    expect(data.summary).toEqual(SUMMARY);
    expect(data.analysis?.layers[0]?.changes).toEqual(CHANGES);
    expect(data.analysis).not.toHaveProperty('analysisId');
    qc.clear();
  });
});
