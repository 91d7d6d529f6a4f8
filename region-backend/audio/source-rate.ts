import { ProblemError } from '../../shared/problem.ts';
import { MAX_SOURCE_RATE, MIN_SOURCE_RATE } from './types.ts';

/** Rejects sample rates and channel counts no real recording has (a lying or broken header). */
export function assertPlausibleStream(format: string, sampleRate: number, channels: number): void {
  if (!Number.isInteger(sampleRate) || sampleRate < MIN_SOURCE_RATE || sampleRate > MAX_SOURCE_RATE)
    throw new ProblemError(
      'invalidAudio',
      `${format} declares a sample rate of ${sampleRate} Hz; supported are ${MIN_SOURCE_RATE}-${MAX_SOURCE_RATE} Hz.`,
    );
  if (!Number.isInteger(channels) || channels < 1)
    throw new ProblemError(
      'invalidAudio',
      `${format} declares ${channels} channels; at least 1 is needed.`,
    );
}
