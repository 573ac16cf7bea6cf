/**
 * One upload's analysis, from its first byte to its packed result: the
 * archive is listed while it arrives (`ArchivePrelister`), then analysed
 * once complete (`analyzeImageArchive`, taking those listings), and the
 * change lists are packed (`changes-wire.ts`) so the result can cross a
 * thread or process line as columns.
 *
 * `UploadAnalysis` does this on the calling thread; the worker entry
 * (`upload-analysis-worker.ts`) runs the very same class on its own thread
 * and `UploadAnalysisThread` (`upload-analysis-thread.ts`) is its proxy in
 * main, so main's event loop only receives and writes the bytes.
 */
import { encodeChanges, type PackedChangesT } from '../../../preload/schemas/changes-wire';
import { analyzeImageArchive, type ImageAnalysis, type LayerAnalysis } from './analyze';
import { ArchivePrelister } from './prelist';

export type AnalysisSummaryPart = Omit<ImageAnalysis, 'layers'> & { layers: Array<Omit<LayerAnalysis, 'changes'>> };

/**
 * The analysis without its change lists, and those lists packed (one per
 * layer), later: they are packed after the summary has been handed over, so
 * the summary never waits for them.
 */
export interface PackedUploadAnalysis {
  summary: AnalysisSummaryPart;
  packed: Promise<PackedChangesT[]>;
}

/** What main holds for an upload being analysed, on this thread or another. */
export interface UploadAnalyser {
  /** The file now holds its first `received` bytes. */
  advance(received: number): void;
  /** The analysis of the complete file (call once, after the last byte). */
  analyse(image?: string | number): Promise<PackedUploadAnalysis>;
  /** Stops listing what has not arrived; resolves once nothing reads the file any more. */
  close(): Promise<void>;
}

/**
 * Splits an analysis into the summary and the packed lists, packed on a
 * later turn of the event loop (setImmediate runs after the continuation
 * that hands the summary on).
 */
export function packUploadAnalysis(a: ImageAnalysis): PackedUploadAnalysis {
  const layers = a.layers.map(withoutChanges);
  const packed = new Promise<PackedChangesT[]>((resolve, reject) =>
    setImmediate(() => {
      try {
        resolve(a.layers.map((l) => encodeChanges(l.changes)));
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    }),
  );
  return { summary: { ...a, layers }, packed };
}

/**
 * A layer without its change list, which is not read: a bottom layer merged
 * while it arrived builds its list on first read (MergedTree.baseMerge), so
 * that is done when the lists are packed, after the summary.
 */
function withoutChanges(l: LayerAnalysis): Omit<LayerAnalysis, 'changes'> {
  const keys = Object.keys(l).filter((k) => k !== 'changes') as Array<keyof LayerAnalysis>;
  return Object.fromEntries(keys.map((k) => [k, l[k]])) as Omit<LayerAnalysis, 'changes'>;
}

export class UploadAnalysis implements UploadAnalyser {
  private readonly prelister: ArchivePrelister;

  /** `size`: the announced size of `file`, which grows as the upload arrives (see advance). */
  constructor(
    private readonly file: string,
    size: number,
  ) {
    this.prelister = new ArchivePrelister(file, size);
  }

  advance(received: number): void {
    this.prelister.advance(received);
  }

  async analyse(image?: string | number): Promise<PackedUploadAnalysis> {
    const a = await analyzeImageArchive(this.file, {
      ...(image === undefined ? {} : { image }),
      prelisted: (member) => this.prelister.listing(member),
      premerged: (members) => this.prelister.premerged(members),
    });
    return packUploadAnalysis(a);
  }

  close(): Promise<void> {
    return this.prelister.close();
  }
}
