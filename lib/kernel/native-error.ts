// Telling the addon's failures apart: by the step code it attaches, never by the message text.
import type { NativeStep } from './native.js';

/** An OS or kernel failure from the addon: always both its errno and the step that failed. */
export type NativeFailure = Error & { errno: number; step: NativeStep };

/** `error` when it is such a failure; undefined for anything else (a TypeError, a JS bug). */
export function nativeFailure(error: unknown): NativeFailure | undefined {
  if (!(error instanceof Error)) return undefined;
  const { errno, step } = error as Partial<NativeFailure>;
  return typeof errno === 'number' && typeof step === 'string'
    ? (error as NativeFailure)
    : undefined;
}
