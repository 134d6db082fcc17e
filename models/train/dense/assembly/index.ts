/**
 * Tickwork's dense-network kernel: the entry point that `scripts/build.mjs` compiles with
 * AssemblyScript to dist/kernels/dense.wasm. Every function works on f32 data at byte
 * addresses in the imported memory, which models/train/dense/kernel.ts lays out.
 */
export { gemm, gemv, transpose } from './gemm';
export { activate, activationBackward, batchNormBackward, batchNormInfer, batchNormTrain, biasActivation, columnSums, dropout, gatherRows, gatherValues, multiply } from './layers';
export { lossAndGradient, lossOnly, penalty } from './losses';
export { adadelta, adafactor, adagrad, adam, adamax, clipValues, lion, nadam, rmsprop, scale, sgd, sumSquares } from './optimizers';
