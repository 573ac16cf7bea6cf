/**
 * Worker thread entry (bundled as out/main/analysis-worker.js): runs one
 * upload's `UploadAnalysis` off main's thread. Main (`UploadAnalysisThread`)
 * starts it at `uploads.begin` with the file and its announced size, tells
 * it how many bytes have arrived after every chunk, asks for the analysis
 * once the upload is complete, and closes it when the upload goes. The
 * summary is posted as soon as it exists, the packed change lists after it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { errorForThread, type FromAnalysisWorker, type ToAnalysisWorker } from './upload-analysis-wire';
import { UploadAnalysis } from './upload-analysis';

const port = parentPort;
if (!port) throw new Error('upload-analysis-worker runs as a worker thread');
const { file, size } = workerData as { file: string; size: number };
const analysis = new UploadAnalysis(file, size);
const post = (m: FromAnalysisWorker): void => port.postMessage(m);
let running: Promise<void> = Promise.resolve();

async function run(image: string | number | undefined): Promise<void> {
  let stage: 'summary' | 'packed' = 'summary';
  try {
    const { summary, packed } = await analysis.analyse(image);
    post({ type: 'summary', summary });
    stage = 'packed';
    post({ type: 'packed', packed: await packed });
  } catch (err) {
    post({ type: 'failed', stage, error: errorForThread(err) });
  }
}

port.on('message', (m: ToAnalysisWorker) => {
  if (m.type === 'advance') analysis.advance(m.received);
  else if (m.type === 'analyse') running = run(m.image);
  else if (m.type === 'close') {
    // What was asked is answered before the thread goes.
    void Promise.all([analysis.close(), running]).finally(() => post({ type: 'closed' }));
  }
});
