// A piscina worker that decodes audio off the event loop. Worker threads start without tsx's
// loader: register it, then load the TypeScript decoder.
import { register } from 'tsx/esm/api';

register();
const { decodeAudioInWorker } = await import('./decode-task.ts');
export default decodeAudioInWorker;
