/** No MongoDB or Redis could be found or started; the message says how to provide one. */
export class BackingServiceUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BackingServiceUnavailableError';
  }
}
