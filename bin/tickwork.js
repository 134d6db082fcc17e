#!/usr/bin/env node
// Entry point of the `tickwork` command: runs the built CLI (dist/node/cli.cjs), from V8's code
// cache when the build wrote one (bin/code-cache.cjs).
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../dist/node/cli.cjs', import.meta.url));
if (!existsSync(cli)) {
  console.error('tickwork: the CLI is not built yet. Run: npm run build');
  process.exit(1);
}
const { requireCached } = createRequire(import.meta.url)('./code-cache.cjs');
const loaded = requireCached(cli);
const code = await loaded.exports.main(process.argv.slice(2));
// The build runs one command with this set, to write the cache with the functions it compiled.
if (process.env.TICKWORK_WRITE_CODE_CACHE === '1') loaded.write();
if (code >= 0) process.exit(code);
