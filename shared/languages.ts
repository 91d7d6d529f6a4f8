/**
 * The model's 11 languages, and every spelling a client may send for them.
 *
 * Accepted forms (case-insensitive): the English name ("English"), the ISO 639-1 code ("en"),
 * the ISO 639-3 code ("eng") and the ISO 639-2/B code where it differs ("ger").
 */
export const LANGUAGES = [
  { name: 'Chinese', iso1: 'zh', iso3: ['zho', 'cmn', 'chi'], aliases: ['mandarin'] },
  { name: 'English', iso1: 'en', iso3: ['eng'], aliases: [] },
  { name: 'Cantonese', iso1: null, iso3: ['yue'], aliases: [] },
  { name: 'French', iso1: 'fr', iso3: ['fra', 'fre'], aliases: [] },
  { name: 'German', iso1: 'de', iso3: ['deu', 'ger'], aliases: [] },
  { name: 'Italian', iso1: 'it', iso3: ['ita'], aliases: [] },
  { name: 'Japanese', iso1: 'ja', iso3: ['jpn'], aliases: [] },
  { name: 'Korean', iso1: 'ko', iso3: ['kor'], aliases: [] },
  { name: 'Portuguese', iso1: 'pt', iso3: ['por'], aliases: [] },
  { name: 'Russian', iso1: 'ru', iso3: ['rus'], aliases: [] },
  { name: 'Spanish', iso1: 'es', iso3: ['spa'], aliases: [] },
] as const;

export type Language = (typeof LANGUAGES)[number]['name'];

export const LANGUAGE_NAMES: readonly Language[] = LANGUAGES.map((l) => l.name);

const lookup = new Map<string, Language>();
for (const l of LANGUAGES) {
  for (const form of [l.name, l.iso1, ...l.iso3, ...l.aliases]) {
    if (form) lookup.set(form.toLowerCase(), l.name);
  }
}

/** Returns the canonical language name, or null when `input` names none of the 11. */
export function parseLanguage(input: string): Language | null {
  return lookup.get(input.trim().toLowerCase()) ?? null;
}

/** One line listing every accepted language, for error messages. */
export function describeSupportedLanguages(): string {
  return LANGUAGES.map((l) => `${l.name} (${[l.iso1, ...l.iso3].filter(Boolean).join(', ')})`).join(
    '; ',
  );
}

/** Languages whose units are single characters (ideographs) rather than words. */
export function isCharacterLanguage(language: Language): boolean {
  return language === 'Chinese' || language === 'Cantonese' || language === 'Japanese';
}
