import { parentPort } from 'node:worker_threads';
import { alignWithTemplate } from './align.ts';
import { Espeak } from './espeak.ts';
import { type AlignRequest, serializeError, type WorkerMessage } from './protocol.ts';

/**
 * The dtw engine's worker thread: owns one eSpeak-NG instance and does all the CPU work, so the
 * HTTP event loop never waits on synthesis or DTW.
 */
const port = parentPort;
if (!port) throw new Error('the dtw worker must run in a worker thread');
const post = (message: WorkerMessage) => port.postMessage(message);

try {
  const espeak = await Espeak.load();
  // The first syntheses of a voice run cold (dictionary load, JIT): pay that here, not in a request.
  for (let i = 0; i < 3; i++)
    espeak.synthesize('Warming up the template voice, once more.', 'en-us');
  port.on('message', (request: AlignRequest) => {
    try {
      const timings = request.items.map((item) => alignWithTemplate(espeak, item));
      post({ type: 'result', id: request.id, timings });
    } catch (err) {
      post({ type: 'error', id: request.id, error: serializeError(err) });
    }
  });
  post({ type: 'ready' });
} catch (err) {
  post({ type: 'failed', error: serializeError(err) });
}
