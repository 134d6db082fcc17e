import { describe, expect, it } from 'vitest';
import { parseRequest, REQUEST_CHANNELS, requests } from '../../shared/contract';
import { REQUEST_METHODS } from '../../shared/channels';
import type { TickworkError } from '../../shared/errors';
import { thrown } from '../helpers/errors';
import { runConfigInputSchema, runConfigSchema } from '../../shared/run-config';

function rejection(channel: Parameters<typeof parseRequest>[0], input: unknown): TickworkError {
  const err = thrown(() => parseRequest(channel, input));
  expect(err.code).toBe('invalid_input');
  return err;
}

describe('the contract', () => {
  it('uses domain:verb channel names and has a method for each', () => {
    for (const channel of REQUEST_CHANNELS) {
      expect(channel).toMatch(/^[a-z]+:[a-z-]+$/);
      expect(REQUEST_METHODS[channel]).toBeTruthy();
    }
  });

  it('rejects bad input with the channel and the field named', () => {
    expect(rejection('dataset:open', { source: { kind: 'file' } }).message).toMatch(/^dataset:open: invalid input — source\.path/);
    expect(rejection('training:start', { datasetId: 'x', config: { target: 'y', optimizer: { name: 'adam', lr: -1 } } }).message).toContain(
      'config.optimizer.lr: lr must be > 0',
    );
    expect(rejection('training:start', { datasetId: 'x', config: { target: 'y', epochs: 1.5 } }).message).toContain('config.epochs');
    expect(rejection('model:predict', { modelId: 'm', rows: [] }).message).toContain('rows');
  });

  it('rejects unknown fields instead of ignoring them', () => {
    expect(rejection('run:get', { runId: 'r', extra: 1 }).message).toContain('run:get');
  });

  it('fills defaults, and a resolved RunConfig survives a JSON round trip unchanged', () => {
    const input = runConfigInputSchema.parse({ target: 'species' });
    expect(input.optimizer).toEqual({ name: 'adam', lr: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, amsgrad: false, weightDecay: 0 });
    expect(input.seed).toBe(42);
    const resolved = runConfigSchema.parse({
      ...input,
      version: 1,
      task: 'multiclass',
      features: ['a'],
      batchSize: 32,
      epochs: 20,
      earlyStopping: null,
      dataset: { name: 'iris', source: 'bundled:iris', sha256: 'abc', rows: 150 },
      testSource: null,
    });
    expect(runConfigSchema.parse(JSON.parse(JSON.stringify(resolved)))).toEqual(resolved);
  });

  it('every request schema accepts its documented minimal input', () => {
    expect(() => requests['app:info'].input.parse({})).not.toThrow();
    expect(() => parseRequest('dataset:open', { source: { kind: 'bundled', name: 'iris' } })).not.toThrow();
  });
});
