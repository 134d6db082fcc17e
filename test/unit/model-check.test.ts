/**
 * Damaged models and hostile zips are refused at load with a plain message: swapped or absurd
 * weight shapes, non-finite weights, labels that do not match the outputs, preprocessing that
 * does not match the inputs; zips with too many entries, too large or too compressed entries.
 */
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { readExportFolder, writeExportFolder, type ExportBundle } from '../../models/io/export-folder';
import { moonsBundle } from '../helpers/engine';
import { rejected } from '../helpers/errors';

let bundle: ExportBundle;
let dir: string;
let n = 0;

beforeAll(async () => {
  bundle = await moonsBundle({ model: { hidden: [8, 4] } });
  dir = await mkdtemp(join(tmpdir(), 'tickwork-check-'));
});

/** An export, then `edit` applied to one of its JSON files; returns the folder. */
async function exportWith(file: 'model.json' | 'preprocessing.json' | null, edit: (json: any) => void = () => undefined): Promise<string> {
  const out = join(dir, `m${n++}`);
  await writeExportFolder(out, bundle);
  if (file) {
    const json = JSON.parse(await readFile(join(out, file), 'utf8'));
    edit(json);
    await writeFile(join(out, file), JSON.stringify(json));
  }
  return out;
}

const weightsOf = (json: any) => json.weightsManifest[0].weights as Array<{ name: string; shape: number[] }>;

describe('damaged models are refused at load', () => {
  it('a sound export loads', async () => {
    expect((await readExportFolder(await exportWith(null))).preprocessing.target).toBe('label');
  });

  it('swapped weight shapes (same byte count)', async () => {
    const out = await exportWith('model.json', (j) => (weightsOf(j).find((w) => w.name === 'dense_1/kernel')!.shape = [8, 2]));
    const err = await rejected(readExportFolder(out));
    expect(err.code).toBe('bad_data');
    expect(err.message).toBe(`The model in ${out} is damaged: the weight dense_1/kernel has the shape [8, 2] but its layer needs [2, 8]. Export it again from Tickwork (or from the run: tickwork export --model run:ID).`);
  });

  it('a topology that does not match the weights', async () => {
    const out = await exportWith('model.json', (j) => (j.modelTopology.config.layers[1].config.units = 5));
    expect((await rejected(readExportFolder(out))).message).toContain('the weight dense_2/kernel has the shape [8, 4] but its layer needs [8, 5]');
  });

  it('absurd sizes and shapes that are not lists of positive whole numbers', async () => {
    const huge = await exportWith('model.json', (j) => (weightsOf(j)[0].shape = [100000, 100000]));
    expect((await rejected(readExportFolder(huge))).message).toMatch(/describes more than 5e\+8 parameters \(the weight dense_1\/kernel alone has 1\.00e\+10\)/);
    const negative = await exportWith('model.json', (j) => (weightsOf(j)[0].shape = [-2, -8]));
    expect((await rejected(readExportFolder(negative))).message).toContain('has the shape [-2,-8]; a shape is a list of positive whole numbers');
  });

  it('non-finite weights', async () => {
    const out = await exportWith(null);
    const bytes = await readFile(join(out, 'weights.bin'));
    new DataView(bytes.buffer, bytes.byteOffset).setFloat32(4 * 3, NaN, true);
    await writeFile(join(out, 'weights.bin'), bytes);
    expect((await rejected(readExportFolder(out))).message).toContain('the weight dense_1/kernel holds NaN at position 3; every weight must be a finite number');
  });

  it('labels that do not match the outputs', async () => {
    const three = await exportWith('preprocessing.json', (p) => (p.labels = ['a', 'b', 'c']));
    expect((await rejected(readExportFolder(three))).message).toContain('a binary model has 2 labels and one output; preprocessing.json lists 3 label(s) and the model has 1 output(s)');
    const multi = await exportWith('preprocessing.json', (p) => (p.task = 'multiclass'));
    expect((await rejected(readExportFolder(multi))).message).toContain('preprocessing.json lists 2 labels (0, 1) but the model has 1 outputs');
    const twice = await exportWith('preprocessing.json', (p) => (p.labels = ['yes', 'yes']));
    expect((await rejected(readExportFolder(twice))).message).toContain('lists a label twice');
  });

  it('preprocessing that does not match the inputs', async () => {
    const fewer = await exportWith('preprocessing.json', (p) => {
      p.features.pop();
      p.encoded.pop();
    });
    expect((await rejected(readExportFolder(fewer))).message).toContain("preprocessing.json encodes 1 input values (its features make 1) but the model's first layer takes 2");
    const stranger = await exportWith('preprocessing.json', (p) => (p.features[1].name = 'x3'));
    expect((await rejected(readExportFolder(stranger))).message).toContain('encodes column(s) x3 that are not among its inputs');
    const nanScale = await exportWith('preprocessing.json', (p) => (p.features[0].scale = null));
    expect((await rejected(readExportFolder(nanScale))).message).toContain('preprocessing.json scales x1 by null');
  });
});

describe('model zips are checked before they are inflated', () => {
  async function zipOf(entries: Record<string, Uint8Array>, name: string): Promise<string> {
    const path = join(dir, name);
    await writeFile(path, zipSync(entries));
    return path;
  }

  async function exportEntries(): Promise<Record<string, Uint8Array>> {
    const out = await exportWith(null);
    const entries: Record<string, Uint8Array> = {};
    for (const f of ['model.json', 'weights.bin', 'preprocessing.json', 'run-config.json', 'metrics.json']) entries[f] = new Uint8Array(await readFile(join(out, f)));
    return entries;
  }

  it('a real export zip loads', async () => {
    const path = await zipOf(await exportEntries(), 'ok.zip');
    expect((await readExportFolder(path)).preprocessing.target).toBe('label');
  });

  it('refuses an entry compressed far beyond what a model compresses to (a zip bomb)', async () => {
    const entries = await exportEntries();
    entries['weights.bin'] = new Uint8Array(64 * 2 ** 20); // 64 MiB of zeros deflate ~1000:1
    const path = await zipOf(entries, 'bomb.zip');
    const err = await rejected(readExportFolder(path));
    expect(err.code).toBe('bad_data');
    expect(err.message).toMatch(/weights\.bin is compressed 1,0\d\d:1 \(0\.\d+ MiB → 64 MiB\), far beyond what a model's files compress to \(at most 200:1\); it looks like a zip bomb and was not unpacked/);
  });

  it('refuses a zip whose directory announces more than a model may take, without inflating it', async () => {
    const entries = await exportEntries();
    const zip = zipSync(entries, { level: 0 });
    // Patch weights.bin's uncompressed size in the central directory to ~4 GiB.
    const view = new DataView(zip.buffer);
    for (let at = zip.length - 22; at >= 0; at--) {
      if (view.getUint32(at, true) !== 0x02014b50) continue;
      const nameLength = view.getUint16(at + 28, true);
      const name = new TextDecoder().decode(zip.subarray(at + 46, at + 46 + nameLength));
      if (name === 'weights.bin') {
        view.setUint32(at + 24, 0xfffffff0, true);
        view.setUint32(at + 20, 0xfffffff0, true);
      }
    }
    const path = join(dir, 'liar.zip');
    await writeFile(path, zip);
    const err = await rejected(readExportFolder(path));
    expect(err.message).toMatch(/would inflate to 4\d{3} MiB, more than the 2048 MiB a model may take; it was not unpacked/);
  });

  it('refuses a zip with thousands of entries', async () => {
    const entries = await exportEntries();
    for (let i = 0; i < 500; i++) entries[`junk/${i}.txt`] = new Uint8Array([i & 255]);
    const path = await zipOf(entries, 'many.zip');
    expect((await rejected(readExportFolder(path))).message).toMatch(/has 505 entries; a Tickwork model zip has about ten \(at most 100 are read\)/);
  });

  it('refuses a FIFO as a model, and one inside an export folder, at once', async () => {
    const { spawnSync } = await import('node:child_process');
    const fifo = join(dir, 'model.pipe');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    expect((await rejected(readExportFolder(fifo))).message).toContain('is not a regular file or folder');
    const out = join(dir, 'with-fifo');
    await mkdir(out);
    expect(spawnSync('mkfifo', [join(out, 'model.json')]).status).toBe(0);
    expect((await rejected(readExportFolder(out))).message).toContain('model.json is not a regular file');
  });
});
