/** An error a request caused (not a bug): its status and a sentence fit to show the reader. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message?: string,
  ) {
    super(message ?? defaultMessage(status));
    this.name = 'HttpError';
  }
}

export const STATUS_HEADINGS: Record<number, string> = {
  400: 'That request could not be understood',
  401: 'Please sign in',
  403: 'That form has expired',
  404: 'Page not found',
  411: 'The form did not say how long it is',
  413: 'That is too large',
  415: 'Unsupported content type',
  429: 'Too many attempts',
  500: 'Something went wrong',
  503: 'Temporarily unavailable',
  507: 'Out of storage space',
};

function defaultMessage(status: number): string {
  switch (status) {
    case 401:
      return 'You need to sign in as the author to do that.';
    case 403:
      return 'The form was missing its security token or the token had expired. Go back, reload the page and try again.';
    case 404:
      return 'There is nothing at this address. It may have moved, or the link may be mistyped.';
    case 411:
      return 'The form was sent without its length (Content-Length), which browsers always send. Send it again with its length.';
    case 413:
      return 'The request was larger than Quire accepts.';
    case 429:
      return 'Too many attempts from your address. Wait a few minutes and try again.';
    default:
      return 'The request could not be handled.';
  }
}
