/**
 * The backend preference from a flag or the TICKWORK_BACKEND environment variable. Kept apart
 * from backend.ts so that the CLI and Electron's main process can read it without loading tfjs.
 */
import { TickworkError } from '../shared/errors.js';
import type { BackendPreference } from '../shared/run-config.js';

export const BACKEND_ENV = 'TICKWORK_BACKEND';

/** Resolve the effective preference: explicit argument, else TICKWORK_BACKEND, else auto. */
export function backendPreferenceFromEnv(explicit?: BackendPreference): BackendPreference {
  if (explicit && explicit !== 'auto') return explicit;
  const env = process.env[BACKEND_ENV]?.trim().toLowerCase();
  if (!env) return explicit ?? 'auto';
  if (env === 'auto' || env === 'tensorflow' || env === 'wasm' || env === 'cpu') return env;
  throw new TickworkError('invalid_input', `${BACKEND_ENV}="${env}" is not a backend; use auto, tensorflow, wasm or cpu.`);
}
