/**
 * Browser mode's paths: a page names files on the server's machine, and a relative path there
 * would be resolved against whatever folder `tickwork serve` was started in (the hostile-input
 * suite wrote exports into the repository that way). The WebSocket adapter refuses a relative
 * path in any path field, naming the channel and the field, before the request is dispatched.
 * Which folders a write may go to is the service's rule; this is only the adapter's guard.
 */
import { isAbsolute } from 'node:path';
import type { ResponseEnvelope } from '../shared/contract.js';

type Pick = (input: any) => unknown;
const testSource: [string, Pick] = ['testSource.path', (i) => (i?.testSource?.kind === 'file' ? i.testSource.path : undefined)];

/** The path fields of each channel that takes one. */
const PATH_FIELDS: Record<string, [string, Pick][]> = {
  'dataset:open': [['source.path', (i) => (i?.source?.kind === 'file' ? i.source.path : undefined)]],
  'training:start': [testSource],
  'training:plan': [testSource],
  'training:lr-find': [testSource],
  'race:start': [testSource],
  'model:load': [['dir', (i) => i?.dir]],
  'model:score-file': [
    ['input', (i) => i?.input],
    ['output', (i) => i?.output],
  ],
  'model:explain': [['input', (i) => i?.input]],
  'model:export': [['dir', (i) => i?.dir]],
};

/** An error envelope when a path field holds a relative path; null when the request may go on. */
export function refuseRelativePaths(channel: unknown, input: unknown): ResponseEnvelope | null {
  for (const [field, pick] of PATH_FIELDS[String(channel)] ?? []) {
    const value = pick(input);
    if (typeof value === 'string' && value !== '' && !isAbsolute(value)) {
      const shown = value.length > 80 ? `${value.slice(0, 80)}…` : value;
      return {
        ok: false,
        error: {
          code: 'invalid_input',
          message: `${String(channel)}: ${field} must be an absolute path in browser mode, received "${shown}" (a relative path would be read from or written to the folder the server was started in).`,
        },
      };
    }
  }
  return null;
}
