import { describe, expect, it } from 'vitest';
import { type FilePart, parseMultipartForm } from '../../region-backend/server/multipart-form.ts';

/** The wire form undici gives a FormData: [content type, body bytes]. */
async function encode(form: FormData): Promise<[string, Uint8Array]> {
  const req = new Request('http://127.0.0.1/', { method: 'POST', body: form });
  return [req.headers.get('content-type')!, new Uint8Array(await req.arrayBuffer())];
}

describe('parseMultipartForm', () => {
  it('gives what Request.formData() gives: UTF-8 fields and byte-exact files', async () => {
    const bytes = new Uint8Array(40_000).map((_, i) => (i * 7919) & 0xff);
    const form = new FormData();
    form.set('audio', new Blob([bytes], { type: 'audio/wav' }), 'speech.wav');
    form.set('text', 'héllo wörld — 你好 😀');
    form.set('language', 'en');
    const parsed = await parseMultipartForm(...(await encode(form)));
    const reference = await new Request('http://127.0.0.1/', {
      method: 'POST',
      body: form,
    }).formData();
    expect(parsed.get('text')).toBe(reference.get('text'));
    expect(parsed.get('language')).toBe('en');
    const file = parsed.get('audio') as FilePart;
    expect(file.filename).toBe('speech.wav');
    expect(file.type).toBe('audio/wav');
    expect(new Uint8Array(file.bytes)).toEqual(bytes);
  });

  it('keeps file bytes exact when they look like boundaries, and parts in order', async () => {
    // "\r\n--" runs make busboy hold bytes back at every 16 KB slice edge (its look-behind).
    const tricky = new Uint8Array(100_000).map((_, i) => [13, 10, 45, 45, 45][i % 5]!);
    const plain = new Uint8Array(70_001).map((_, i) => (i * 31) & 0xff);
    const form = new FormData();
    form.append('audio', new Blob([tricky]), 'a.wav');
    form.append('text', 'first');
    form.append('audio', new Blob([plain]), 'b.wav');
    form.append('text', 'second');
    const parsed = await parseMultipartForm(...(await encode(form)));
    const files = parsed.getAll('audio') as FilePart[];
    expect(files.map((f) => f.filename)).toEqual(['a.wav', 'b.wav']);
    expect(Buffer.from(files[0]!.bytes).equals(Buffer.from(tricky))).toBe(true);
    expect(Buffer.from(files[1]!.bytes).equals(Buffer.from(plain))).toBe(true);
    expect(parsed.getAll('text')).toEqual(['first', 'second']);
    expect(parsed.get('missing')).toBeNull();
  });

  it('refuses a body whose boundary does not match, and too many parts', async () => {
    const bad = new TextEncoder().encode(
      '--xyz\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--xyz--\r\n',
    );
    await expect(parseMultipartForm('multipart/form-data', bad)).rejects.toMatchObject({
      status: 400,
    });
    const many = new FormData();
    for (let i = 0; i < 10; i++) many.append(`f${i}`, 'x');
    await expect(
      parseMultipartForm(...(await encode(many)), { maxParts: 5, maxFieldBytes: 100 }),
    ).rejects.toMatchObject({
      status: 400,
      message: expect.stringContaining('more than 5 parts'),
    });
  });
});
