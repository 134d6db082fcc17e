#!/usr/bin/env node
// Entry point of the `tickwork` command: runs the built CLI (dist/node/cli.cjs).
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../dist/node/cli.cjs', import.meta.url));
if (!existsSync(cli)) {
  console.error('tickwork: the CLI is not built yet. Run: npm run build');
  process.exit(1);
}
const { main } = createRequire(import.meta.url)(cli);
const code = await main(process.argv.slice(2));
if (code >= 0) process.exit(code);
