import type { Qwen3AlignerConfig } from './model-config.ts';

/** The aligner prompt of one item, as token ids, with where its audio rows and slots sit. */
export interface AlignerPrompt {
  inputIds: number[];
  /** Position of the first audio pad (the rest follow). */
  audioStart: number;
  audioTokens: number;
  /** Positions of the <timestamp> tokens: start, end for each unit in order. */
  slots: number[];
}

/**
 * `<|audio_start|>` + one `<|audio_pad|>` per audio token + `<|audio_end|>`, then for every
 * unit its own tokens followed by two `<timestamp>` tokens. No chat template, no language tag:
 * any prefix shifts the predicted times.
 */
export function buildPrompt(
  cfg: Qwen3AlignerConfig,
  audioTokens: number,
  unitTokenIds: readonly (readonly number[])[],
): AlignerPrompt {
  const ids: number[] = [cfg.audioStartTokenId];
  for (let i = 0; i < audioTokens; i++) ids.push(cfg.audioTokenId);
  ids.push(cfg.audioEndTokenId);
  const slots: number[] = [];
  for (const unit of unitTokenIds) {
    ids.push(...unit);
    slots.push(ids.length, ids.length + 1);
    ids.push(cfg.timestampTokenId, cfg.timestampTokenId);
  }
  return { inputIds: ids, audioStart: 1, audioTokens, slots };
}
