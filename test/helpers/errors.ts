/** The TickworkError a call throws (or a promise rejects with); fails the test when there is none or it is another kind. */
import { expect } from 'vitest';
import { TickworkError } from '../../shared/errors';

export function thrown(fn: () => unknown): TickworkError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(TickworkError);
    return err as TickworkError;
  }
  throw new Error('expected an error');
}

export async function rejected(promise: Promise<unknown>): Promise<TickworkError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(TickworkError);
    return err as TickworkError;
  }
  throw new Error('expected a rejection');
}
