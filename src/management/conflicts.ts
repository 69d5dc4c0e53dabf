import type { AppError } from '../errors/app-error.ts';
import { StoreConflictError } from '../store/types.ts';

/** Awaits a store write; a unique-key or version conflict becomes `onConflict()` (a 409 that says what to do). */
export async function orConflict<T>(write: Promise<T>, onConflict: () => AppError): Promise<T> {
  try {
    return await write;
  } catch (err) {
    if (err instanceof StoreConflictError) throw onConflict();
    throw err;
  }
}
