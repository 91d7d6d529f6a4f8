/** Types for the `tiny-segmenter` package (TinySegmenter 0.2, pure JavaScript, BSD). */
declare module 'tiny-segmenter' {
  export default class TinySegmenter {
    segment(text: string): string[];
  }
}
