import { describe, expect, it } from 'vitest';
import { ApiKeyHashes } from '../../edge/keys/api-key-hashes.ts';
import { generateApiKey, sha256Hex } from '../../shared/api-keys.ts';

describe('ApiKeyHashes (in workerd)', () => {
  it('gives the SHA-256 of the key, the first time and when it is remembered', async () => {
    const hashes = new ApiKeyHashes();
    const key = generateApiKey();
    const expected = await sha256Hex(key);
    expect(hashes.of(key)).toBe(expected);
    expect(hashes.of(key)).toBe(expected);
    expect(hashes.of(`${key}x`)).toBe(await sha256Hex(`${key}x`));
  });

  it('keeps at most maxEntries keys, dropping the oldest, and still hashes a dropped one', async () => {
    const hashes = new ApiKeyHashes(3);
    const keys = Array.from({ length: 5 }, () => generateApiKey());
    for (const key of keys) hashes.of(key);
    expect(hashes.size).toBe(3);
    // The first key was dropped: asking again hashes it anew, and evicts the next oldest.
    expect(hashes.of(keys[0]!)).toBe(await sha256Hex(keys[0]!));
    expect(hashes.size).toBe(3);
  });
});
