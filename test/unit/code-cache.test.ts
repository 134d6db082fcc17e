/** bin/code-cache.cjs: the CLI bundle from V8's code cache, and never from a cache of another build. */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const { requireCached } = createRequire(import.meta.url)('../../bin/code-cache.cjs') as {
  requireCached: (file: string) => { exports: Record<string, unknown>; cached: boolean; write: () => void };
};

describe('the code cache', () => {
  it('is used once written, gives the same module, and a cache made from another source is ignored', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tickwork-cache-'));
    const file = join(dir, 'bundle.cjs');
    const body = (n: number) => `const path = require('node:path');\nexports.answer = () => ${n} + path.sep.length;\nexports.file = __filename;\n`;
    await writeFile(file, body(41));
    const first = requireCached(file);
    expect(first.cached).toBe(false);
    expect((first.exports.answer as () => number)()).toBe(42);
    expect(first.exports.file).toBe(file);
    first.write();
    const second = requireCached(file);
    expect(second.cached).toBe(true);
    expect((second.exports.answer as () => number)()).toBe(42);
    // Same length, other source: V8 alone would accept the cache (it checks only the length).
    const cache = await readFile(`${file}.v8cache`);
    await writeFile(file, body(40));
    const third = requireCached(file);
    expect(third.cached).toBe(false);
    expect((third.exports.answer as () => number)()).toBe(41);
    expect(await readFile(`${file}.v8cache`)).toEqual(cache); // left as it was until written again
  });
});
