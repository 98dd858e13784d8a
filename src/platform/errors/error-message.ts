/** The message of anything thrown, for logs and stored failure reasons (never sent as a database error to clients). */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
