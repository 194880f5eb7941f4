import { AppError } from '../common/errors';

/** One more event stream than SSE_MAX_STREAMS_PER_KEY for this key on this api process. */
export class TooManyStreamsError extends AppError {
  constructor(max: number) {
    super(
      'RATE_LIMIT_EXCEEDED',
      `This API key already has ${max} event streams open; close one (EventSource.close()) before opening another.`,
      { details: { max_streams: max } },
    );
  }
}
