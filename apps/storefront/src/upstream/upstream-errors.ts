/** The peer did not answer usefully in time: down, too slow, a 5xx, or a body we cannot read. */
export class UpstreamUnavailableError extends Error {
  override readonly name = 'UpstreamUnavailableError';

  constructor(
    readonly service: string,
    detail: string,
  ) {
    super(`${service} unavailable: ${detail}`);
  }
}

/** The peer answered 404. */
export class UpstreamNotFoundError extends Error {
  override readonly name = 'UpstreamNotFoundError';
}

/** The peer refused our request as bad (a 4xx other than 404), e.g. a page past its limit. */
export class UpstreamRejectedError extends Error {
  override readonly name = 'UpstreamRejectedError';

  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}
