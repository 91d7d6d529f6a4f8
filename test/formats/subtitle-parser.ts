/** A strict little SRT/WebVTT reader for round-trip tests (not product code). */
export interface ParsedCue {
  id: string;
  start: number;
  end: number;
  text: string;
}

const seconds = (t: string, sep: ',' | '.') => {
  const m = new RegExp(`^(\\d{2}):(\\d{2}):(\\d{2})\\${sep}(\\d{3})$`).exec(t);
  if (!m) throw new Error(`bad timestamp ${JSON.stringify(t)}`);
  return Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) + Number(m[4]) / 1000;
};

function parseBlocks(blocks: string[], sep: ',' | '.'): ParsedCue[] {
  return blocks.map((block) => {
    const [id = '', timing = '', ...text] = block.split('\n');
    const [a = '', b = ''] = timing.split(' --> ');
    if (!text.length || text.some((l) => l.trim() === ''))
      throw new Error(`empty cue line in ${block}`);
    return { id, start: seconds(a, sep), end: seconds(b, sep), text: text.join('\n') };
  });
}

export function parseSrt(body: string): ParsedCue[] {
  if (body !== '' && !body.endsWith('\n')) throw new Error('SRT must end with a newline');
  const trimmed = body.replace(/\n+$/, '');
  return trimmed === '' ? [] : parseBlocks(trimmed.split('\n\n'), ',');
}

export function parseVtt(body: string): ParsedCue[] {
  if (!body.startsWith('WEBVTT\n')) throw new Error('missing WEBVTT header');
  const rest = body.slice('WEBVTT\n'.length).replace(/^\n/, '').replace(/\n+$/, '');
  const unescapeCueText = (s: string) =>
    s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  return rest === ''
    ? []
    : parseBlocks(rest.split('\n\n'), '.').map((c) => ({ ...c, text: unescapeCueText(c.text) }));
}

/** RFC 4180 reader: quoted fields may hold commas, doubled quotes, CR and LF. */
export function parseCsv(body: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (quoted) {
      if (ch === '"' && body[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"' && field === '') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\r' && body[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else if (ch === '\n' || ch === '\r' || ch === '"')
      throw new Error(`bare ${JSON.stringify(ch)} at ${i}`);
    else field += ch;
  }
  if (quoted || field !== '' || row.length) throw new Error('CSV does not end with CRLF');
  return rows;
}
