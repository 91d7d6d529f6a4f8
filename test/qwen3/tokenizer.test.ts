import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readAlignerConfig } from '../../region-backend/engines/qwen3/model-config.ts';
import { buildPrompt } from '../../region-backend/engines/qwen3/prompt.ts';
import { UnitTokenizer } from '../../region-backend/engines/qwen3/tokenizer.ts';
import { unitsFor } from '../../shared/segmenters.ts';
import { checkpointDir, readCase, SINGLE_CASES, tempDir } from './fixture.ts';

const tmp = tempDir('falign-qwen3-tok-');
afterAll(tmp.cleanup);

/** A model directory with only vocab.json + merges.txt + tokenizer_config.json. */
function slowTokenizerDir(): string {
  const dir = join(tmp.dir, 'slow');
  mkdirSync(dir);
  for (const f of ['vocab.json', 'merges.txt', 'tokenizer_config.json']) {
    symlinkSync(join(checkpointDir, f), join(dir, f));
  }
  return dir;
}

describe('tokenizer and prompt', () => {
  const cfg = readAlignerConfig(checkpointDir);
  const fast = new UnitTokenizer(checkpointDir);
  const slow = new UnitTokenizer(slowTokenizerDir());
  for (const name of SINGLE_CASES) {
    const c = readCase(name);
    it(`${name}: units from the transcript are the official ones`, () => {
      expect(unitsFor(c.text, c.language).map((u) => u.text)).toEqual(c.units);
    });
    it(`${name}: unit token ids from tokenizer.json and from vocab + merges`, () => {
      expect(c.units.map((u) => fast.encode(u))).toEqual(c.unit_token_ids);
      expect(c.units.map((u) => slow.encode(u))).toEqual(c.unit_token_ids);
    });
    it(`${name}: prompt ids and timestamp positions`, () => {
      const p = buildPrompt(cfg, c.n_audio_tokens, c.unit_token_ids);
      expect(p.inputIds).toEqual(c.input_ids);
      expect(p.slots).toEqual(c.timestamp_positions);
    });
  }
  it('tokenizes other scripts the same way from both sources', () => {
    for (const s of ['Straße', 'привет', '東京', 'naïve', "l'été", '2024']) {
      expect(slow.encode(s)).toEqual(fast.encode(s));
    }
  });
});
