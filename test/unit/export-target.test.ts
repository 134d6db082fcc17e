/**
 * Never over what Tickwork did not write: exports (folder, zip, PyTorch recipe) and scored files
 * refuse foreign targets unless forced, keep the user's other files byte for byte, and leave no
 * staging behind; browser mode's write roots; stale temp and staging folders are swept.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { zipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { readExportFolder, writeExportFolder, writeExportZip, type ExportBundle } from '../../models/io/export-folder';
import { checkFileTarget, stagingPath, sweepStaging } from '../../models/io/export-target';
import { makeTempDir, sweepStaleTempDirs } from '../../service/temp-dirs';
import { WritePolicy } from '../../service/write-policy';
import { moonsBundle } from '../helpers/engine';
import { rejected } from '../helpers/errors';

let bundle: ExportBundle;
let dir: string;

/** Every file under `root` → sha256 of its bytes (the "unchanged byte for byte" check). */
async function snapshot(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (at: string) => {
    for (const entry of await readdir(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) await walk(path);
      else out[relative(root, path)] = createHash('sha256').update(await readFile(path)).digest('hex');
    }
  };
  await walk(root);
  return out;
}

/** A process id that no longer runs. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
  return Number(r.stdout.trim());
}

beforeAll(async () => {
  bundle = await moonsBundle();
  dir = await mkdtemp(join(tmpdir(), 'tickwork-target-'));
});

describe('export targets', () => {
  it('a zip never replaces a file that is not a Tickwork zip unless forced; an earlier Tickwork zip is replaced', async () => {
    const root = join(dir, 'zip');
    await mkdir(root);
    const docx = join(root, 'report.docx');
    await writeFile(docx, 'PK\x03\x04 not really a model');
    const before = await snapshot(root);
    const err = await rejected(writeExportZip(docx, bundle));
    expect(err.code).toBe('exists');
    expect(err.message).toContain(`${docx} already exists and is not a Tickwork model zip`);
    expect(err.message).toContain('--force');
    expect(await snapshot(root)).toEqual(before);

    const zip = join(root, 'model.zip');
    await writeExportZip(zip, bundle);
    await writeExportZip(zip, bundle); // over our own: fine
    expect((await readExportFolder(zip)).preprocessing.target).toBe('label');
    expect(await readdir(root)).toEqual(['model.zip', 'report.docx']);

    // A zip of someone else's files is not a Tickwork zip either.
    const photos = join(root, 'photos.zip');
    await writeFile(photos, zipSync({ 'beach.jpg': new Uint8Array([1, 2, 3]) }));
    expect((await rejected(writeExportZip(photos, bundle))).message).toContain('is not a Tickwork model zip');
    expect(await readdir(root)).toEqual(['model.zip', 'photos.zip', 'report.docx']);

    await writeExportZip(docx, bundle, { force: true });
    expect((await readExportFolder(docx)).preprocessing.target).toBe('label');
  });

  it('re-exporting into an earlier export keeps the user\'s other files, and refuses without --force', async () => {
    const out = join(dir, 'again');
    await writeExportFolder(out, bundle);
    await writeFile(join(out, 'notes.txt'), 'my notes on this model');
    await mkdir(join(out, 'plots'));
    await writeFile(join(out, 'plots', 'roc.png'), Buffer.from([1, 2, 3]));
    const before = await snapshot(out);

    const err = await rejected(writeExportFolder(out, bundle));
    expect(err.code).toBe('exists');
    expect(err.message).toMatch(/holds an earlier Tickwork export and also files Tickwork did not write: "notes\.txt", "plots"/);
    expect(await snapshot(out)).toEqual(before);

    const changed = { ...bundle, metrics: { train: { loss: 0.125 }, validation: null, test: null } } as ExportBundle;
    await writeExportFolder(out, changed, { force: true });
    const after = await snapshot(out);
    expect(after['notes.txt']).toBe(before['notes.txt']);
    expect(after['plots/roc.png']).toBe(before['plots/roc.png']);
    expect(after['metrics.json']).not.toBe(before['metrics.json']);
    expect(JSON.parse(await readFile(join(out, 'metrics.json'), 'utf8')).train.loss).toBe(0.125);
    expect((await readdir(dir)).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it('a folder that is not an export is refused unless forced; forced, its files stay byte for byte', async () => {
    const mine = join(dir, 'documents');
    await mkdir(mine);
    await writeFile(join(mine, 'thesis.docx'), 'precious');
    const before = await snapshot(mine);
    const err = await rejected(writeExportFolder(mine, bundle));
    expect(err.message).toContain(`${mine} already exists and is not a Tickwork export (it holds "thesis.docx")`);
    expect(await snapshot(mine)).toEqual(before);
    await writeExportFolder(mine, bundle, { force: true });
    expect((await snapshot(mine))['thesis.docx']).toBe(before['thesis.docx']);
    expect((await readExportFolder(mine)).preprocessing.target).toBe('label');
  });

  it('scored files: an earlier Tickwork output may be replaced, another file only when forced; never a FIFO', async () => {
    const root = join(dir, 'scored');
    await mkdir(root);
    const earlier = join(root, 'scored.csv');
    await writeFile(earlier, 'x1,x2,prediction,probability_0,probability_1\n1,2,0,0.9,0.1\n');
    await checkFileTarget(earlier, 'csv');
    const bashrc = join(root, '.bashrc');
    await writeFile(bashrc, 'export PATH=$PATH\n');
    const err = await rejected(checkFileTarget(bashrc, 'csv'));
    expect(err.code).toBe('exists');
    expect(err.message).toContain(`${bashrc} already exists and is not a scored file written by Tickwork`);
    await checkFileTarget(bashrc, 'csv', { force: true });
    const fifo = join(root, 'pipe');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const refused = await rejected(checkFileTarget(fifo, 'csv', { force: true }));
    expect(refused.message).toContain('not a regular file');
    const folder = await rejected(checkFileTarget(root, 'zip'));
    expect(folder.message).toContain('it is a folder');
  });

  it('staging left by a process that is gone is swept; a live one and the user\'s files are not', async () => {
    const root = join(dir, 'sweep');
    await mkdir(root);
    const dead = deadPid();
    await mkdir(join(root, `.model.tickwork-tmp-${dead}-deadbeef`));
    await writeFile(join(root, `.model.tickwork-tmp-${dead}-deadbeef`, 'weights.bin'), Buffer.alloc(1024));
    const live = stagingPath(join(root, 'model'), 'tmp');
    await mkdir(live);
    await writeFile(join(root, '.model.tickwork-notes'), 'not ours');
    expect(await sweepStaging(root)).toEqual([`.model.tickwork-tmp-${dead}-deadbeef`]);
    expect((await readdir(root)).sort()).toEqual(['.model.tickwork-notes', live.slice(root.length + 1)].sort());
  });
});

describe('temp folders', () => {
  it('removes folders of processes that are gone, keeps this process\'s and other kinds', async () => {
    const root = await mkdtemp(join(tmpdir(), 'sweep-root-'));
    const dead = deadPid();
    for (const name of [`tickwork-uploads-${dead}-a1b2`, `tickwork-exports-${dead}-c3`, `tickwork-uploads-${process.pid}-x`, `tickwork-duckdb-${dead}-y`, 'tickwork-uploads-older', 'mine']) {
      await mkdir(join(root, name));
    }
    expect(sweepStaleTempDirs(root).sort()).toEqual([`tickwork-exports-${dead}-c3`, `tickwork-uploads-${dead}-a1b2`]);
    expect((await readdir(root)).sort()).toEqual([`tickwork-duckdb-${dead}-y`, `tickwork-uploads-${process.pid}-x`, 'mine', 'tickwork-uploads-older'].sort());
  });

  it('a temp folder is removed when its process exits', async () => {
    // temp-dirs.ts bundled alone, run in a child process that makes a folder and exits.
    const script = join(dir, 'temp-dirs-child.cjs');
    await build({ entryPoints: [fileURLToPath(new URL('../../service/temp-dirs.ts', import.meta.url))], bundle: true, platform: 'node', format: 'cjs', outfile: script, logLevel: 'silent' });
    const r = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(script)}).makeTempDir('exports').then((d) => { console.log(d); process.exit(0); })`], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const made = r.stdout.trim();
    expect(made).toMatch(/tickwork-exports-\d+-/);
    await expect(stat(made)).rejects.toThrow(/ENOENT/);
  });
});

describe('browser-mode write roots', () => {
  it('writes under the workspace, the download folder, opened-data folders, --allow-dir and temp folders only', async () => {
    const root = await mkdtemp(join(tmpdir(), 'tickwork-roots-'));
    const [workspace, downloads, allowed, data, outside] = ['ws', 'dl', 'allowed', 'data', 'outside'].map((n) => join(root, n));
    for (const d of [workspace, downloads, allowed, data, outside]) await mkdir(d);
    const policy = WritePolicy.within({ workspace, downloads, allowed: [allowed] });
    for (const ok of [join(workspace, 'models', 'x'), join(downloads, 'm.zip'), join(allowed, 'deep', 'er', 'out.csv')]) policy.check(ok, 'the export');
    const err = (() => {
      try {
        policy.check(join(outside, 'scored.csv'), 'the scored file');
      } catch (e) {
        return e as Error;
      }
      throw new Error('expected a refusal');
    })();
    expect(err.message).toContain(`${join(outside, 'scored.csv')} (the scored file) is outside them`);
    expect(err.message).toContain('--allow-dir');
    expect(() => policy.check(join(workspace, '..', 'outside', 'x.csv'), 'the export')).toThrow(/outside them/);
    expect(() => policy.check('/home/.bashrc', 'the scored file')).toThrow(/outside them/);
    // A link inside an allowed folder does not lead out of it.
    await symlink(outside, join(allowed, 'link'));
    expect(() => policy.check(join(allowed, 'link', 'x.csv'), 'the export')).toThrow(/outside them/);
    expect(() => policy.check(join(data, 'scored.csv'), 'the scored file')).toThrow(/outside them/);
    policy.openedFrom(join(data, 'rows.csv'));
    policy.check(join(data, 'scored.csv'), 'the scored file');
    policy.check(join(await makeTempDir('exports'), 'a.zip'), 'the export');
    WritePolicy.anywhere().check(join(outside, 'x'), 'the export');
  });
});
