import { ProblemError } from '../../shared/problem.ts';
import type { AudioLimits } from './types.ts';

const fmt = (s: number) => `${Math.round(s * 1000) / 1000} s`;

/** Rejects limits that make no sense, so a config mistake is not reported as bad audio. */
export function assertValidLimits(limits: AudioLimits): void {
  const { minSeconds, maxSeconds } = limits;
  if (
    !(minSeconds >= 0) ||
    !(maxSeconds > 0) ||
    !Number.isFinite(maxSeconds) ||
    minSeconds > maxSeconds
  )
    throw new RangeError(
      `invalid audio limits: minSeconds ${minSeconds}, maxSeconds ${maxSeconds}`,
    );
}

/** The 422 for audio beyond the limit; `seconds` is omitted when decoding stopped early. */
export function audioTooLong(limits: AudioLimits, seconds?: number): ProblemError {
  const detail =
    seconds === undefined
      ? `Audio is longer than the maximum of ${fmt(limits.maxSeconds)}.`
      : `Audio is ${fmt(seconds)} long; the maximum is ${fmt(limits.maxSeconds)}.`;
  return new ProblemError('audioTooLong', detail, {
    extra: {
      max_seconds: limits.maxSeconds,
      ...(seconds === undefined ? {} : { duration: seconds }),
    },
  });
}

/** Throws the matching 422 when `seconds` is outside the limits. */
export function checkDuration(seconds: number, limits: AudioLimits): void {
  if (seconds > limits.maxSeconds) throw audioTooLong(limits, seconds);
  if (seconds < limits.minSeconds)
    throw new ProblemError(
      'audioTooShort',
      `Audio is ${fmt(seconds)} long; the minimum is ${fmt(limits.minSeconds)}.`,
      { extra: { min_seconds: limits.minSeconds, duration: seconds } },
    );
}
