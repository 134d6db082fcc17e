/**
 * The training worker: owns the tfjs backend, trains runs and answers predictions.
 * Runs as a Node worker thread (CLI, browser mode, tests) or as an Electron utility process
 * (desktop app); it never runs on the thread that serves requests.
 */
import { parentPort } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../models/backend.js';
import { artifactsToModel, modelToArtifacts } from '../models/io/artifacts.js';
import { NanGuard, ProgressReporter, TrainingController } from '../models/train/callbacks.js';
import { predictRows, trainModel } from '../models/train/loop.js';
import { DivergenceGuard } from '../models/train/divergence-guard.js';
import { assessRun } from '../models/evaluation/run-assessment.js';
import { findLearningRate } from '../models/train/lr-finder.js';
import { SurfaceReporter } from '../models/train/surface-reporter.js';
import type { BackendPreference } from '../shared/run-config.js';
import type { BackendInfo } from '../shared/contract.js';
import { TickworkError } from '../shared/errors.js';
import type { HostToWorker, TrainRequest, WorkerToHost } from './worker-protocol.js';

interface Port {
  post(message: WorkerToHost): void;
  listen(handler: (message: HostToWorker) => void): void;
}

function connect(): Port {
  if (parentPort) {
    const port = parentPort;
    return { post: (m) => port.postMessage(m), listen: (h) => port.on('message', h) };
  }
  // Electron utilityProcess: process.parentPort delivers { data } events.
  const electronPort = (process as unknown as { parentPort?: { postMessage(m: unknown): void; on(e: 'message', h: (ev: { data: HostToWorker }) => void): void } }).parentPort;
  if (electronPort) {
    return { post: (m) => electronPort.postMessage(m), listen: (h) => electronPort.on('message', (ev) => h(ev.data)) };
  }
  throw new Error('training-worker must run as a worker thread or an Electron utility process');
}

const port = connect();
/** Checkpoints go to the service at most this often. */
const CHECKPOINT_INTERVAL_MS = 1000;
let backend: BackendInfo | null = null;
let preference: BackendPreference = 'auto';
const controllers = new Map<string, TrainingController>();
const surfaces = new Map<string, SurfaceReporter>();
const models = new Map<string, tf.LayersModel>();

const versions = { tfjs: tf.version.tfjs, node: process.versions.node };

async function ensureBackend(wanted: BackendPreference): Promise<BackendInfo> {
  if (!backend || (wanted !== 'auto' && wanted !== preference)) {
    backend = await selectBackend(wanted);
    preference = wanted;
  }
  return backend;
}

async function train(request: TrainRequest): Promise<void> {
  const controller = new TrainingController();
  controllers.set(request.runId, controller);
  const { runId } = request;
  const surface = new SurfaceReporter(request.surface ?? null, (output, step, epoch) => port.post({ type: 'surface', runId, step, epoch, output }));
  surfaces.set(runId, surface);
  try {
    const used = await ensureBackend(request.config.backend);
    let lastCheckpoint = 0;
    // Ends a run early, with a warning, when its loss climbs far above where it started.
    const guard = new DivergenceGuard({ task: request.task, classes: request.classes });
    const result = await trainModel(
      request,
      {
        controller,
        callbacks: [
          new NanGuard(),
          guard,
          surface,
          // Contract events leave the worker in contract form; the service records and forwards them.
          new ProgressReporter((p) => port.post({ type: 'emit', runId, channel: 'training:progress', payload: { ...p, runId, gradNorm: p.gradNorm ?? 0 } })),
          {
            onEpochEnd: async (record, ctx) => {
              port.post({ type: 'emit', runId, channel: 'training:epoch', payload: { runId, record, epochs: request.config.epochs } });
              // A checkpoint — if the run later fails or the worker dies, this model survives — after
              // the first epoch and then at most once a second (small data runs 50+ epochs a second).
              const now = Date.now();
              if (now - lastCheckpoint < CHECKPOINT_INTERVAL_MS) return;
              lastCheckpoint = now;
              port.post({ type: 'checkpoint', runId, epoch: record.epoch, artifacts: await modelToArtifacts(ctx.model) });
            },
          },
        ],
        onEvent: (event) => port.post({ type: 'emit', runId, channel: 'training:event', payload: { runId, event } }),
        onResults: (results, epoch) => port.post({ type: 'results', runId, epoch, results }),
      },
    );
    const artifacts = await modelToArtifacts(result.model);
    // How the network compares with trivial models, and whether it learned anything.
    const assessment =
      result.status === 'failed'
        ? { baselines: null, warnings: [] }
        : assessRun({
            ...request,
            metrics: result.metrics,
            outputs: (part) => predictRows(result.model, part.x, part.rows, part.cols),
            threshold: request.config.threshold ?? 0.5,
            labels: request.labels ?? null,
            learningRate: request.config.optimizer.lr,
            seed: request.config.seed,
            diverged: guard.warning,
            firstGradNorm: guard.firstGradNorm,
            lastGradNorm: guard.lastGradNorm,
          });
    result.model.dispose();
    port.post({
      type: 'finished',
      runId,
      status: result.status,
      message: result.message,
      history: result.history,
      events: result.events,
      metrics: result.metrics,
      artifacts,
      backend: used,
      ...assessment,
    });
  } catch (err) {
    port.post({ type: 'run-error', runId, message: err instanceof Error ? err.message : String(err) });
  } finally {
    controllers.delete(runId);
    surfaces.delete(runId);
  }
}

async function handle(message: HostToWorker): Promise<void> {
  switch (message.type) {
    case 'init':
      try {
        port.post({ type: 'ready', backend: await ensureBackend(message.backend), versions });
      } catch (err) {
        port.post({ type: 'init-failed', message: err instanceof Error ? err.message : String(err) });
      }
      return;
    case 'train':
      return train(message);
    case 'stop':
      controllers.get(message.runId)?.stop();
      return;
    case 'pause':
      controllers.get(message.runId)?.pause();
      return;
    case 'resume':
      controllers.get(message.runId)?.resume();
      return;
    case 'update':
      controllers.get(message.runId)?.change(message.changes);
      return;
    case 'surface-grid':
      surfaces.get(message.runId)?.setGrid(message.grid);
      return;
    case 'forget':
      models.get(message.modelId)?.dispose();
      models.delete(message.modelId);
      return;
    case 'lr-find':
      try {
        await ensureBackend(message.request.config.backend);
        port.post({ type: 'lr-found', requestId: message.requestId, result: await findLearningRate(message.request, message.options) });
      } catch (err) {
        port.post({ type: 'request-error', requestId: message.requestId, message: err instanceof Error ? err.message : String(err), code: errorCode(err) });
      }
      return;
    case 'predict':
      try {
        let model = models.get(message.modelId);
        if (!model) {
          if (!message.artifacts) throw new Error(`model ${message.modelId} is not loaded in the worker`);
          model = await artifactsToModel(message.artifacts);
          models.set(message.modelId, model);
        }
        const output = predictRows(model, message.x, message.rows, message.cols);
        port.post({ type: 'predicted', requestId: message.requestId, output, units: output.length / Math.max(1, message.rows) });
      } catch (err) {
        port.post({ type: 'request-error', requestId: message.requestId, message: err instanceof Error ? err.message : String(err), code: errorCode(err) });
      }
      return;
  }
}

/** A user error keeps its code across the thread boundary (structured clone drops the class). */
const errorCode = (err: unknown) => (err instanceof TickworkError ? err.code : undefined);

port.listen((message) => {
  void handle(message);
});
