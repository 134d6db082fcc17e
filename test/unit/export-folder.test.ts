import { mkdtemp, readdir, rm, writeFile, truncate, chmod, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readExportFolder, writeExportFolder, type ExportBundle } from '../../models/io/export-folder';
import { moonsBundle } from '../helpers/engine';

let bundle: ExportBundle;
let dir: string;

beforeAll(async () => {
  bundle = await moonsBundle();
  dir = await mkdtemp(join(tmpdir(), 'tickwork-export-'));
});

describe('export folder', () => {
  it('writes every file and reads them back', async () => {
    const out = join(dir, 'a');
    await writeExportFolder(out, bundle);
    const back = await readExportFolder(out);
    expect(back.preprocessing).toMatchObject(bundle.preprocessing);
    expect((back.preprocessing as unknown as { onnx: { takes: string } }).onnx.takes).toBe('raw');
    expect(Array.from(back.artifacts.weights)).toEqual(Array.from(bundle.artifacts.weights));
    expect(back.metrics).toEqual(bundle.metrics);
  });

  it('names what is wrong with a partial, damaged or foreign folder', async () => {
    const partial = join(dir, 'partial');
    await writeExportFolder(partial, bundle);
    await rm(join(partial, 'weights.bin'));
    await expect(readExportFolder(partial)).rejects.toThrow(/weights\.bin is missing/);

    const damaged = join(dir, 'damaged');
    await writeExportFolder(damaged, bundle);
    await truncate(join(damaged, 'weights.bin'), 10);
    await expect(readExportFolder(damaged)).rejects.toThrow(/has 10 bytes but model\.json describes \d+; the export is damaged/);

    const foreign = join(dir, 'foreign');
    await mkdir(foreign);
    await writeFile(join(foreign, 'model.json'), JSON.stringify({ format: 'graph-model', modelTopology: {} }));
    await expect(readExportFolder(foreign)).rejects.toThrow(/is not a tfjs Layers model/);

    const notJson = join(dir, 'not-json');
    await writeExportFolder(notJson, bundle);
    await writeFile(join(notJson, 'preprocessing.json'), '{ nope');
    await expect(readExportFolder(notJson)).rejects.toThrow(/preprocessing\.json in .* cannot be read/);
  });

  it('leaves nothing behind when the location is not writable', async () => {
    if (process.getuid?.() === 0) {
      // root ignores permissions: use a path under a file instead, which fails for everyone.
      const file = join(dir, 'plain-file');
      await writeFile(file, 'x');
      await expect(writeExportFolder(join(file, 'model'), bundle)).rejects.toThrow(/Cannot export to/);
    } else {
      const locked = join(dir, 'locked');
      await mkdir(locked);
      await chmod(locked, 0o500);
      await expect(writeExportFolder(join(locked, 'model'), bundle)).rejects.toThrow(/Cannot export to/);
    }
    expect((await readdir(dir)).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });
});

describe('zip exports', () => {
  it('write atomically and read back like the folder', async () => {
    const { writeExportZip } = await import('../../models/io/export-folder');
    const zip = join(dir, 'model.zip');
    const written = await writeExportZip(zip, bundle);
    expect(written.files).toContain('model.onnx');
    const back = await readExportFolder(zip);
    expect(Array.from(back.artifacts.weights)).toEqual(Array.from(bundle.artifacts.weights));
    expect((await readdir(dir)).filter((f) => f.includes('.tmp-') || f.includes('.staging-'))).toEqual([]);
    await writeFile(join(dir, 'broken.zip'), 'PK\u0003\u0004 not really');
    await expect(readExportFolder(join(dir, 'broken.zip'))).rejects.toThrow(/neither an export folder nor a readable zip/);
  });
});
