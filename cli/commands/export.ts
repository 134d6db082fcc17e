/** `tickwork export`: an export as a tfjs folder, an ONNX file, a zip, or a PyTorch training recipe (export-pytorch.ts). */
import { copyFile, mkdir, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join, resolve as resolvePath } from 'node:path';
import { formatMetrics } from '../progress.js';
import { TickworkError } from '../../shared/errors.js';
import { oneOf, UsageError, type Flags } from '../flags.js';
import { withService } from '../session.js';
import { checkFileTarget, stagingPath } from '../../models/io/export-target.js';
import { makeTempDir } from '../../service/temp-dirs.js';
import { exportPytorch } from './export-pytorch.js';

export async function cmdExport(values: Flags): Promise<void> {
  const get = (k: string) => values[k] as string | undefined;
  if (!get('model')) throw new UsageError('export needs --model <export folder or .zip>');
  if (!get('out')) throw new UsageError('export needs --out <path>');
  const format = oneOf('format', get('format') ?? 'tfjs', ['tfjs', 'onnx', 'zip', 'pytorch'] as const)!;
  if (format === 'pytorch') return exportPytorch(values);
  const quantize = oneOf('quantize', get('quantize') ?? 'none', ['none', 'float16', 'int8'] as const)!;
  const out = resolvePath(get('out')!);
  const force = values.force === true;
  // The ONNX file (and its sidecar) go next to --out: checked before any work.
  const onnxSidecar = out.replace(/\.onnx$/i, '') + '.preprocessing.json';
  if (format === 'onnx') await checkFileTarget(out, 'onnx', { force });
  await withService(values, async (api) => {
    const model = await api.loadModel({ dir: get('model')! });
    let written: string[];
    let result;
    if (format === 'onnx') {
      // The whole export goes to a scratch folder; model.onnx (and, when the graph takes the
      // encoded vector, its preprocessing.json) are moved next to --out.
      const scratch = await makeTempDir('export');
      try {
        result = await api.exportModel({ modelId: model.modelId, dir: join(scratch, 'model'), quantize });
        const note = JSON.parse(await readFile(join(scratch, 'model', 'preprocessing.json'), 'utf8')).onnx;
        if (note.takes !== 'raw') await checkFileTarget(onnxSidecar, 'preprocessing', { force });
        await mkdir(dirname(out), { recursive: true });
        const tmp = stagingPath(out, 'tmp');
        await copyFile(join(scratch, 'model', 'model.onnx'), tmp);
        await rename(tmp, out).catch(async (err) => {
          await rm(tmp, { force: true });
          throw err;
        });
        written = [out];
        if (note.takes !== 'raw') {
          const prepTmp = stagingPath(onnxSidecar, 'tmp');
          await copyFile(join(scratch, 'model', 'preprocessing.json'), prepTmp);
          await rename(prepTmp, onnxSidecar);
          written.push(onnxSidecar);
        }
      } catch (err) {
        if (!(err instanceof TickworkError) && (err as NodeJS.ErrnoException).code) throw new TickworkError('io', `Cannot write ${out}: ${(err as Error).message}`);
        throw err;
      } finally {
        await rm(scratch, { recursive: true, force: true });
      }
    } else {
      result = await api.exportModel({ modelId: model.modelId, dir: out, format: format === 'zip' ? 'zip' : 'folder', quantize, force });
      written = [result.dir];
    }
    const q = result.quantization;
    if (values.json === true) {
      console.log(JSON.stringify({ format, written, quantization: q }));
      return;
    }
    console.log(`exported ${format}: ${written.join(', ')}`);
    if (q) {
      console.log(`weights ${q.dtype}: ${q.bytesBefore} → ${q.bytesAfter} bytes`);
      console.log(q.testAfter ? `test before: ${formatMetrics(q.testBefore)}\ntest after:  ${formatMetrics(q.testAfter)}` : 'no test split stored with this model: accuracy change not measured');
    }
  });
}
