/** An error whose message is the whole story for the user: printed without a stack trace, exit 2. */
export class CliError extends Error {
  override name = 'CliError';
}
