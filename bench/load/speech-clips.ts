import { execFile } from 'node:child_process';
import type { Language } from '../../shared/languages.ts';

/** A synthesised clip with its transcript. */
export interface SpeechClip {
  language: Language;
  text: string;
  wav: Uint8Array;
  seconds: number;
  /** short / medium / long: the load mixes durations. */
  length: 'short' | 'medium' | 'long';
}

/** eSpeak-NG voices for a spread of the model's languages (ones eSpeak reads properly). */
const SENTENCES: { language: Language; voice: string; sentences: string[] }[] = [
  {
    language: 'English',
    voice: 'en-us',
    sentences: [
      'The quick brown fox jumps over the lazy dog.',
      'Forced alignment tells you when each word of a transcript is spoken in a recording.',
      'Subtitles need word timings that stay close to the speech, even when the speaker pauses for a while before going on.',
    ],
  },
  {
    language: 'French',
    voice: 'fr-fr',
    sentences: [
      'Le petit chat dort sur le canapé.',
      'Nous avons marché le long de la rivière jusqu’au vieux pont de pierre.',
      'Les sous-titres doivent suivre la parole de près, même quand la personne qui parle fait une longue pause.',
    ],
  },
  {
    language: 'German',
    voice: 'de',
    sentences: [
      'Der Zug fährt um acht Uhr ab.',
      'Am Wochenende besuchen wir unsere Großeltern auf dem Land.',
      'Untertitel müssen der Sprache genau folgen, auch wenn der Sprecher zwischendurch eine lange Pause macht.',
    ],
  },
  {
    language: 'Spanish',
    voice: 'es',
    sentences: [
      'El perro corre por el parque.',
      'Mañana vamos a visitar el museo de arte moderno con nuestros amigos.',
      'Los subtítulos deben seguir la voz de cerca, incluso cuando quien habla hace una pausa larga.',
    ],
  },
  {
    language: 'Italian',
    voice: 'it',
    sentences: [
      'La pizza è appena uscita dal forno.',
      'Domenica andiamo al mare con tutta la famiglia e alcuni amici.',
      'I sottotitoli devono seguire la voce da vicino, anche quando chi parla fa una lunga pausa.',
    ],
  },
  {
    language: 'Portuguese',
    voice: 'pt',
    sentences: [
      'O menino lê um livro na varanda.',
      'No próximo verão queremos viajar pelo litoral do país de carro.',
    ],
  },
  {
    language: 'Russian',
    voice: 'ru',
    sentences: ['Сегодня хорошая погода.', 'Мы долго гуляли по старому парку у реки.'],
  },
];

function speak(voice: string, text: string): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    execFile(
      'espeak-ng',
      ['-v', voice, '--stdout', text],
      { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024, timeout: 30_000 },
      (err, stdout) => (err ? reject(err) : resolve(new Uint8Array(stdout))),
    );
  });
}

/** Seconds of a canonical 44-byte-header PCM WAV (what espeak-ng writes). */
function wavSeconds(wav: Uint8Array): number {
  const v = new DataView(wav.buffer, wav.byteOffset, wav.byteLength);
  return (wav.length - 44) / v.getUint32(28, true);
}

/**
 * Speaks every sentence (1-3 per language: about 2, 5 and 8 s) and a long clip (several
 * sentences in one, about 20 s), with espeak-ng. Local, offline, a second or two in all.
 */
export async function synthesiseClips(): Promise<SpeechClip[]> {
  const spoken = async (
    language: Language,
    voice: string,
    text: string,
    length: SpeechClip['length'],
  ): Promise<SpeechClip> => {
    const wav = await speak(voice, text);
    return { language, text, wav, seconds: wavSeconds(wav), length };
  };
  const jobs: Promise<SpeechClip>[] = [];
  for (const { language, voice, sentences } of SENTENCES) {
    sentences.forEach((text, i) => {
      jobs.push(spoken(language, voice, text, i === 0 ? 'short' : 'medium'));
    });
    if (sentences.length >= 3) {
      jobs.push(spoken(language, voice, [...sentences, ...sentences].join(' '), 'long'));
    }
  }
  return Promise.all(jobs);
}
