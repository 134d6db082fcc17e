/**
 * The query step end to end: `tickwork train --sql` derives a column, the export carries the
 * query, and `tickwork predict` computes the column again on a file that does not have it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
let dir: string;

function tickwork(...args: string[]) {
  const r = spawnSync(process.execPath, ['bin/tickwork.js', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, TICKWORK_BACKEND: 'wasm' },
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, last: r.stdout.trim().split('\n').at(-1) ?? '' };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tickwork-query-cli-'));
  // The label is "big" exactly when width · height > 12: only the derived area separates the classes well.
  const rows = ['width,height,colour,label'];
  for (let i = 0; i < 240; i++) {
    const w = (i * 7) % 9;
    const h = (i * 5) % 7;
    rows.push(`${w},${h},${['red', 'blue'][i % 2]},${w * h > 12 ? 'big' : 'small'}`);
  }
  await writeFile(join(dir, 'shapes.csv'), rows.join('\n') + '\n');
});

describe('tickwork --sql', () => {
  const query = "SELECT width * height AS area, colour, label FROM data WHERE colour IN ('red', 'blue')";

  it('inspect shows the query result; train exports the query; predict computes the derived column again', async () => {
    const inspected = tickwork('inspect', '--data', join(dir, 'shapes.csv'), '--sql', query, '--json');
    expect(inspected.code, inspected.stderr).toBe(0);
    const summary = JSON.parse(inspected.last);
    expect(summary.columns.map((c: { name: string }) => c.name)).toEqual(['area', 'colour', 'label']);
    expect(summary.rows).toBe(240);

    const out = join(dir, 'model');
    const trained = tickwork('train', '--data', join(dir, 'shapes.csv'), '--sql', query, '--target', 'label', '--epochs', '40', '--lr', '0.05', '--seed', '3', '--out', out, '--json');
    expect(trained.code, trained.stderr).toBe(0);
    const config = JSON.parse(await readFile(join(out, 'run-config.json'), 'utf8'));
    expect(config.query).toBe(query);
    expect(config.features).toEqual(['area', 'colour']);
    expect(JSON.parse(await readFile(join(out, 'preprocessing.json'), 'utf8')).query).toBe(query);
    expect(await readFile(join(out, 'README.md'), 'utf8')).toContain(`## Query\n\n`);

    // The scoring file has width and height, not area: predict runs the query first.
    await writeFile(join(dir, 'new.csv'), 'width,height,colour\n8,6,red\n1,1,blue\n');
    const scored = join(dir, 'scored.csv');
    const predicted = tickwork('predict', '--model', out, '--data', join(dir, 'new.csv'), '--out', scored);
    expect(predicted.code, predicted.stderr).toBe(0);
    const lines = (await readFile(scored, 'utf8')).trim().split('\n');
    // The derived column first, as the query makes it; then the prediction and one probability per class.
    expect(lines[0].split(',').slice(0, 4)).toEqual(['area', 'colour', 'label', 'prediction']);
    expect(lines[0].split(',').slice(4).sort()).toEqual(['probability_big', 'probability_small']);
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(['48', '1']);
    expect(lines.slice(1).map((l) => l.split(',')[3])).toEqual(['big', 'small']);
  }, 180_000);

  it('a bad query exits 2 with DuckDB\'s reason and where it is', () => {
    const r = tickwork('inspect', '--data', join(dir, 'shapes.csv'), '--sql', 'SELECT widht FROM data');
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(/^tickwork: The query could not run: a name in it is not known: Referenced column "widht" not found.* — at line 1, column 8 \(near "widht FROM data"\)/);
    const write = tickwork('inspect', '--data', join(dir, 'shapes.csv'), '--sql', `COPY (SELECT 1) TO '${join(dir, 'x.csv')}'`);
    expect(write.code).toBe(2);
    expect(write.stderr).toContain('The query is not a SELECT');
  });
});
