/** Messages between the service and the data worker (data-reader.ts, data-worker.ts). */
import type { DatasetSource } from '../shared/contract.js';
import type { ErrorCode } from '../shared/errors.js';
import type { LoadedFile, ReadOptions, ReadProgress } from '../models/data/read.js';

export type DataReadRequest = {
  type: 'read';
  id: number;
  source: DatasetSource;
  datasetsDir: string;
  options: Omit<ReadOptions, 'signal' | 'onProgress'>;
};

export type HostToDataWorker = DataReadRequest | { type: 'cancel'; id: number } | { type: 'close' };

export type DataWorkerReply =
  | { type: 'progress'; id: number; progress: ReadProgress }
  | { type: 'done'; id: number; loaded: LoadedFile }
  | { type: 'failed'; id: number; error: { tickwork: boolean; code: ErrorCode; message: string } };
