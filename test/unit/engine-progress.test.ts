/** The data engine's connections report a query's progress while it runs (DuckDB's progress bar is per connection). */
import { describe, expect, it } from 'vitest';
import { runLong, uniqueName, withConnection } from '../../models/data/engine';

describe('the data engine', () => {
  it('reports a long statement’s progress while it runs, from its first moments (not only after 2 s, DuckDB’s default)', async () => {
    const shares: number[] = [];
    let started = 0;
    let firstAt = Infinity;
    await withConnection(async (connection, created) => {
      const source = uniqueName('progress');
      const table = uniqueName('progress');
      created.push(source, table);
      await connection.run(`CREATE TABLE ${source} AS SELECT i FROM range(20000000) t(i)`);
      started = performance.now();
      await runLong(connection, `CREATE TABLE ${table} AS SELECT i, hash(i) % 1000 AS h FROM ${source} WHERE hash(i) % 7 = 0`, {
        everyMs: 5,
        onProgress: (share) => {
          if (shares.length === 0) firstAt = performance.now() - started;
          shares.push(share);
        },
      });
    });
    const total = performance.now() - started;
    console.log(`progress: ${shares.length} reports, first after ${firstAt.toFixed(0)} ms of ${total.toFixed(0)} ms`);
    expect(shares.some((s) => s > 0 && s < 1)).toBe(true);
    expect(firstAt).toBeLessThan(Math.max(500, total / 2));
  }, 60_000);
});
