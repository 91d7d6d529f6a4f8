import { describe, expect, it } from 'vitest';
import { type KnownPartLength, parseMultipart } from '../../edge/align/multipart-fields.ts';
import { KnownUploads } from '../../edge/cache/known-uploads.ts';
import { sha256Hex } from '../../shared/api-keys.ts';

const enc = new TextEncoder();

/** Random bytes (getRandomValues fills at most 64 KiB per call). */
function noise(length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let o = 0; o < length; o += 65_536) crypto.getRandomValues(out.subarray(o, o + 65_536));
  return out;
}

/** A multipart body by hand: the audio part first, then text and language. */
function multipart(boundary: string, audio: Uint8Array, text = 'Hello world'): Uint8Array {
  return multipartAt(boundary, audio, text).body;
}

function multipartAt(boundary: string, audio: Uint8Array, text: string) {
  const head = enc.encode(
    `--${boundary}\r\nContent-Disposition: form-data; name="audio"; filename="a.wav"\r\nContent-Type: audio/wav\r\n\r\n`,
  );
  const field = (name: string, value: string) =>
    `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
  const tail = enc.encode(
    `\r\n${field('text', text)}${field('language', 'English')}--${boundary}--\r\n`,
  );
  const body = new Uint8Array(head.length + audio.length + tail.length);
  body.set(head);
  body.set(audio, head.length);
  body.set(tail, head.length + audio.length);
  return { body, audioStart: head.length };
}

/** The hint, counting the lengths it vouched for. */
function counting(uploads: KnownUploads): { hint: KnownPartLength; vouched: number[] } {
  const vouched: number[] = [];
  const hint: KnownPartLength = (body, start, delimiter) => {
    const n = uploads.partLength(body, start, delimiter);
    if (n !== null) vouched.push(n);
    return n;
  };
  return { hint, vouched };
}

const plain = (parts: ReturnType<typeof parseMultipart>) =>
  parts?.map((p) => ({ name: p.name, filename: p.filename, data: [...p.data] }));

describe('KnownUploads', () => {
  it('gives the hash of a kept upload from an identical copy anywhere, and nothing else', async () => {
    const uploads = new KnownUploads();
    const audio = noise(20_000);
    const sha = await sha256Hex(audio);
    expect(await uploads.sha256(audio)).toBe(sha);
    expect(uploads.find(audio)).toBeNull();
    uploads.remember(audio, sha);
    // The same bytes at an odd offset of a larger buffer.
    const elsewhere = new Uint8Array(audio.length + 7);
    elsewhere.set(audio, 3);
    expect(uploads.find(elsewhere.subarray(3, 3 + audio.length))).toBe(sha);
    // One byte different (in the middle, away from the sampled positions), or one byte short.
    const changed = audio.slice();
    changed[10_001] = (changed[10_001]! + 1) & 0xff;
    expect(uploads.find(changed)).toBeNull();
    expect(await uploads.sha256(changed)).toBe(await sha256Hex(changed));
    expect(uploads.find(audio.subarray(1))).toBeNull();
    // It kept a copy: changing the caller's buffer later does not change what it knows.
    const original = audio.slice();
    audio.fill(0);
    expect(uploads.find(original)).toBe(sha);
  });

  it('forgets the least recently used upload beyond its byte bound, and never keeps big ones', async () => {
    const uploads = new KnownUploads(25_000, 15_000);
    const [a, b, big] = [noise(12_000), noise(12_000), noise(16_000)];
    uploads.remember(a, await sha256Hex(a));
    uploads.remember(big, await sha256Hex(big));
    expect(uploads.find(big)).toBeNull();
    expect(uploads.find(a)).not.toBeNull();
    uploads.remember(b, await sha256Hex(b));
    expect(uploads.find(b)).not.toBeNull();
    // 24 000 bytes fit; a third would not.
    const c = noise(12_000);
    uploads.remember(c, await sha256Hex(c));
    expect(uploads.find(a)).toBeNull();
    expect(uploads.find(b)).not.toBeNull();
    expect(uploads.find(c)).not.toBeNull();
  });

  it('lets the multipart parser skip a kept upload, with the parts a full scan finds', async () => {
    const uploads = new KnownUploads();
    const audio = noise(50_000);
    const sha = await sha256Hex(audio);
    uploads.remember(audio, sha);
    const boundary = `----bench${crypto.randomUUID()}`;
    const body = multipart(boundary, audio);
    const { hint, vouched } = counting(uploads);
    const fast = parseMultipart(body, boundary, hint);
    expect(vouched).toEqual([audio.length]);
    expect(plain(fast)).toEqual(plain(parseMultipart(body, boundary)));
    expect(fast?.[0]?.data.length).toBe(audio.length);
    // And the match is remembered for the hash look-up of that same part.
    expect(uploads.find(fast![0]!.data)).toBe(sha);
  });

  it('scans when the kept upload holds this request’s delimiter, as a full scan would', async () => {
    const boundary = 'b0undary';
    // An upload with `--b0undary` inside: a parser must end the part there, not at its length.
    const audio = noise(30_000);
    audio.set(
      enc.encode(`\r\n--${boundary}\r\nContent-Disposition: form-data; name="x"\r\n\r\n`),
      12_000,
    );
    const uploads = new KnownUploads();
    uploads.remember(audio, await sha256Hex(audio));
    const body = multipart(boundary, audio);
    const { hint, vouched } = counting(uploads);
    const parts = parseMultipart(body, boundary, hint);
    expect(vouched).toEqual([]);
    expect(plain(parts)).toEqual(plain(parseMultipart(body, boundary)));
    expect(parts?.map((p) => p.name)).toEqual(['audio', 'x', 'text', 'language']);
    expect(parts?.[0]?.data.length).toBe(12_000);
    // Another boundary does not occur in it: then its length is vouched for.
    const other = counting(uploads);
    parseMultipart(multipart('other-boundary', audio), 'other-boundary', other.hint);
    expect(other.vouched).toEqual([audio.length]);
  });

  it('does not vouch for a same-length part that differs, or one not followed by a delimiter', async () => {
    const audio = noise(40_000);
    const uploads = new KnownUploads();
    uploads.remember(audio, await sha256Hex(audio));
    const changed = audio.slice();
    changed[20_003] = (changed[20_003]! + 1) & 0xff;
    const boundary = 'XyZ';
    const { hint, vouched } = counting(uploads);
    const body = multipart(boundary, changed);
    expect(plain(parseMultipart(body, boundary, hint))).toEqual(
      plain(parseMultipart(body, boundary)),
    );
    // Cut right after the upload's CRLF: no delimiter follows it.
    const { body: whole, audioStart } = multipartAt(boundary, audio, 'Hello world');
    const cut = whole.subarray(0, audioStart + audio.length + 2);
    expect(uploads.partLength(cut, audioStart, enc.encode(`--${boundary}`))).toBeNull();
    expect(parseMultipart(cut, boundary, hint)).toBeNull();
    expect(vouched).toEqual([]);
  });
});
