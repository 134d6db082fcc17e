import { describe, expect, it } from 'vitest';
import { plainIssues, plainMessage } from '../../renderer/lib/plain-words';
import { fieldIssues, refusedFields } from '../../renderer/features/training/field-check';
import { parseRequest } from '../../shared/contract';

/** The service's own message for a request it refuses (the same function the service runs). */
function refusal(input: unknown): string {
  try {
    parseRequest('training:start', input);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('accepted');
}

describe('plain words for refused requests', () => {
  it('translates a schema refusal into the form’s words, with the field it is about', () => {
    const message = refusal({ datasetId: 'd', config: { target: 'y', batchSize: 1_000_000 } });
    expect(message).toContain('training:start: invalid input');
    expect(plainIssues(message)).toEqual([{ path: 'batchSize', text: 'Batch size must be at most 65,536.' }]);
    expect(refusedFields(plainIssues(message))).toEqual({ batch: 'Batch size must be at most 65,536. Enter a smaller number, or leave it empty for auto (32).' });
  });

  it('names each bound in words', () => {
    expect(plainIssues('training:start: invalid input — config.optimizer.lr: lr must be > 0, received -1')[0].text).toBe('Learning rate must be more than 0.');
    expect(plainIssues('training:start: invalid input — config.epochs: epochs must be a whole number, received 2.5')[0].text).toBe('Epochs must be a whole number.');
    expect(plainIssues('x:y: invalid input — config.split.validation: Too big: expected number to be <1')[0].text).toBe('Validation share must be less than 1.');
  });

  it('keeps a message in its own words without its channel prefix', () => {
    expect(plainMessage(new Error('dataset:open: The file is empty. Pick another file.'))).toBe('The file is empty. Pick another file.');
  });
});

describe('the Training form’s fields against the schema', () => {
  it('marks the field that is out of range, and none when all fit', () => {
    expect(fieldIssues({ target: 'y', batchSize: 1_000_000 })).toEqual({ batch: 'Batch size must be at most 65,536. Enter a smaller number, or leave it empty for auto (32).' });
    expect(fieldIssues({ target: 'y', optimizer: { name: 'adam', lr: 0 } })).toEqual({ lr: 'Learning rate must be more than 0.' });
    expect(fieldIssues({ target: 'y', batchSize: 64, epochs: 3 })).toEqual({});
  });
});
