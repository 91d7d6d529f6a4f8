import { type Logger, pino } from 'pino';

export type { Logger };

/**
 * JSON logs (pino). Anything that could carry a secret is redacted at the logger, so a careless
 * `log.info({ headers })` cannot leak an API key or the internal signing secret.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'falign-backend' },
      redact: {
        paths: [
          'authorization',
          '*.authorization',
          '*.headers.authorization',
          '*["x-api-key"]',
          '*.headers["x-api-key"]',
          'apiKey',
          '*.apiKey',
          'token',
          '*.token',
          'secret',
          '*.secret',
        ],
        censor: '[redacted]',
      },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
