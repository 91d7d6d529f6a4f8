/** Result formats (JSON, SRT, WebVTT, Praat TextGrid, CSV); pure, shared by edge and backend. */
export { buildCues, type Cue } from './cues.ts';
export { negotiateFormat } from './negotiate.ts';
export { renderAlignment } from './render.ts';
export {
  CONTENT_TYPES,
  type CueOptions,
  OUTPUT_FORMATS,
  type OutputFormat,
  type RenderedAlignment,
  type RenderOptions,
} from './types.ts';
