/** Small client for the async API in tests: submit, poll to the end, read results. */
export class TaskClient {
  constructor(
    readonly baseUrl: string,
    readonly key: string,
  ) {}

  headers(extra: Record<string, string> = {}): Record<string, string> {
    return { authorization: `Bearer ${this.key}`, ...extra };
  }

  post(path: string, body: BodyInit, headers: Record<string, string> = {}): Promise<Response> {
    return fetch(`${this.baseUrl}${path}`, {
      method: 'POST',
      body,
      headers: this.headers(headers),
    });
  }

  get(path: string, headers: Record<string, string> = {}): Promise<Response> {
    return fetch(`${this.baseUrl}${path}`, { headers: this.headers(headers) });
  }

  /** Polls the status until completed/failed (bounded by `timeoutMs`); returns the status body. */
  async waitForEnd(
    taskId: string,
    timeoutMs = 30_000,
  ): Promise<{ status: string; [k: string]: unknown }> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const res = await this.get(`/api/tasks/${taskId}/status`).catch(() => null);
      if (res?.status === 200) {
        const body = (await res.json()) as { status: string };
        if (body.status === 'completed' || body.status === 'failed') return body;
      } else {
        await res?.arrayBuffer();
      }
      if (Date.now() > deadline)
        throw new Error(`task ${taskId} did not end within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** multipart body for POST /api/align. */
export function alignForm(audio: Uint8Array, fields: Record<string, string>): FormData {
  const f = new FormData();
  f.set('audio', new Blob([new Uint8Array(audio)]), 'speech.wav');
  for (const [k, v] of Object.entries(fields)) f.set(k, v);
  return f;
}
