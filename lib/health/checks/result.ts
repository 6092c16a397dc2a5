// What one check attempt found.

export interface CheckResult {
  ok: boolean;
  /** Why it failed ("connect ECONNREFUSED", "status 503", "timed out after 200 ms"), or what passed. */
  detail: string;
}

export const passed = (detail: string): CheckResult => ({ ok: true, detail });
export const failed = (detail: string): CheckResult => ({ ok: false, detail });

/** "connect ECONNREFUSED 10.0.0.2:80" style text for an error of any kind. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code && !error.message.includes(code) ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}
