import { describe, expect, it } from 'vitest';
import { parseMultipartForm } from '../../region-backend/server/multipart-form.ts';

async function encode(form: FormData): Promise<Request> {
  const req = new Request('http://127.0.0.1/', { method: 'POST', body: form });
  return new Request('http://127.0.0.1/', {
    method: 'POST',
    body: await req.arrayBuffer(),
    headers: { 'content-type': req.headers.get('content-type')! },
  });
}

describe('parseMultipartForm', () => {
  it('gives what Request.formData() gives: UTF-8 fields and byte-exact files', async () => {
    const bytes = new Uint8Array(40_000).map((_, i) => (i * 7919) & 0xff);
    const form = new FormData();
    form.set('audio', new Blob([bytes], { type: 'audio/wav' }), 'speech.wav');
    form.set('text', 'héllo wörld — 你好 😀');
    form.set('language', 'en');
    const parsed = await parseMultipartForm(await encode(form));
    const reference = await (await encode(form)).formData();
    expect(parsed.get('text')).toBe(reference.get('text'));
    expect(parsed.get('language')).toBe('en');
    const file = parsed.get('audio') as File;
    expect(file.name).toBe('speech.wav');
    expect(new Uint8Array(await file.arrayBuffer())).toEqual(bytes);
  });

  it('refuses a body whose boundary does not match, and too many parts', async () => {
    const bad = new Request('http://127.0.0.1/', {
      method: 'POST',
      body: '--xyz\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--xyz--\r\n',
      headers: { 'content-type': 'multipart/form-data' },
    });
    await expect(parseMultipartForm(bad)).rejects.toMatchObject({ status: 400 });
    const many = new FormData();
    for (let i = 0; i < 10; i++) many.append(`f${i}`, 'x');
    await expect(
      parseMultipartForm(await encode(many), { maxParts: 5, maxFieldBytes: 100 }),
    ).rejects.toMatchObject({
      status: 400,
      message: expect.stringContaining('more than 5 parts'),
    });
  });
});
