// An error a route throws on purpose: its message is shown to the operator as it is, so it must
// say what was wrong in words (never a stack trace).
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** per-field problems, for forms: the console shows each next to its field */
    readonly fields?: Array<{ field: string; message: string }>,
  ) {
    super(message);
  }
}

export const badRequest = (message: string, fields?: Array<{ field: string; message: string }>) => new HttpError(400, message, fields);
export const notFound = (message: string) => new HttpError(404, message);
