/**
 * The text of a thrown value, for a log line or an error body: an error's message (also of an
 * error from another realm, such as one thrown inside Node's fetch under jest), a string as it
 * is, anything else as JSON.
 */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'string') return error;
  if (typeof error === 'object' && error !== null && 'message' in error) {
    const { message } = error;
    if (typeof message === 'string') return message;
  }
  try {
    return JSON.stringify(error) ?? String(error);
  } catch {
    // Cycles and BigInts do not serialise.
    return String(error);
  }
}
