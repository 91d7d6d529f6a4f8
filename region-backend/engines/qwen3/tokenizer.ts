import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';

/** A model directory without a usable tokenizer. */
export class TokenizerFilesError extends Error {
  override name = 'TokenizerFilesError';
}

/** The Qwen2 pre-tokenizer split (as in the model's tokenizer.json). */
const QWEN2_SPLIT =
  "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

type Json = Record<string, unknown>;

/**
 * A `tokenizer.json` equivalent to the slow Qwen2Tokenizer files (vocab.json + merges.txt +
 * tokenizer_config.json): NFC, the Qwen2 split regex, byte-level BPE without unk or byte
 * fallback, the added tokens at their configured ids.
 */
export function tokenizerJsonFromVocab(
  vocab: Record<string, number>,
  merges: string[],
  config: Json,
): Json {
  const added = (config['added_tokens_decoder'] ?? {}) as Record<string, Json>;
  return {
    version: '1.0',
    added_tokens: Object.entries(added).map(([id, t]) => ({
      id: Number(id),
      content: t['content'],
      single_word: t['single_word'] ?? false,
      lstrip: t['lstrip'] ?? false,
      rstrip: t['rstrip'] ?? false,
      normalized: t['normalized'] ?? false,
      special: t['special'] ?? true,
    })),
    normalizer: { type: 'NFC' },
    pre_tokenizer: {
      type: 'Sequence',
      pretokenizers: [
        { type: 'Split', pattern: { Regex: QWEN2_SPLIT }, behavior: 'Isolated', invert: false },
        { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: false },
      ],
    },
    post_processor: null,
    decoder: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: false },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab,
      merges,
    },
  };
}

/**
 * The model's byte-level BPE, loaded from `tokenizer.json` when present, otherwise from
 * `vocab.json` + `merges.txt` + `tokenizer_config.json`. Only unit text is encoded here; the
 * special tokens of the prompt are placed by id (from config.json), never parsed from text.
 */
export class UnitTokenizer {
  private readonly tokenizer: Tokenizer;
  private readonly cache = new Map<string, number[]>();

  constructor(modelDir: string) {
    const configPath = join(modelDir, 'tokenizer_config.json');
    const config = existsSync(configPath)
      ? (JSON.parse(readFileSync(configPath, 'utf8')) as Json)
      : {};
    const jsonPath = join(modelDir, 'tokenizer.json');
    let spec: Json;
    if (existsSync(jsonPath)) {
      spec = JSON.parse(readFileSync(jsonPath, 'utf8')) as Json;
    } else if (
      existsSync(join(modelDir, 'vocab.json')) &&
      existsSync(join(modelDir, 'merges.txt'))
    ) {
      const vocab = JSON.parse(readFileSync(join(modelDir, 'vocab.json'), 'utf8')) as Record<
        string,
        number
      >;
      const merges = readFileSync(join(modelDir, 'merges.txt'), 'utf8')
        .split('\n')
        .filter((line) => line.trim() !== '' && !line.startsWith('#version'));
      spec = tokenizerJsonFromVocab(vocab, merges, config);
    } else {
      throw new TokenizerFilesError(
        `${modelDir}: no tokenizer.json, and no vocab.json + merges.txt to build one from`,
      );
    }
    this.tokenizer = new Tokenizer(spec, config);
  }

  /** Token ids of one unit, encoded on its own: no leading space, no BOS/EOS. */
  encode(unit: string): number[] {
    const cached = this.cache.get(unit);
    if (cached) return cached;
    const ids = this.tokenizer.encode(unit, { add_special_tokens: false }).ids;
    if (this.cache.size > 50_000) this.cache.clear();
    this.cache.set(unit, ids);
    return ids;
  }
}
