/**
 * Load a built CommonJS bundle with V8's code cache, written beside it at build time
 * (<bundle>.v8cache): V8 then skips compiling the bundle's 1.9 MB on every start (~60 ms of a
 * `tickwork` command on this project's machine). Node 22 has module.enableCompileCache for this;
 * the project supports Node 20, so the same is done here with vm.Script's cachedData.
 *
 * The cache file starts with the SHA-256 of the source it was made from: V8 itself checks only the
 * source's length, its own version and its flags, so a cache from another build is never used.
 * Without a cache, or with one V8 refuses (another Node, other flags), the bundle compiles as usual.
 */
'use strict';
const { createHash } = require('node:crypto');
const { existsSync, readFileSync, writeFileSync, renameSync, rmSync } = require('node:fs');
const Module = require('node:module');
const { dirname } = require('node:path');
const vm = require('node:vm');

const HASH_BYTES = 64; // hex

/** require(file), compiled from its code cache when there is a valid one; `write()` saves the cache as the process now has it. */
function requireCached(file) {
  const source = readFileSync(file, 'utf8');
  const digest = createHash('sha256').update(source).digest('hex');
  const cacheFile = `${file}.v8cache`;
  let cachedData;
  if (existsSync(cacheFile)) {
    const bytes = readFileSync(cacheFile);
    if (bytes.subarray(0, HASH_BYTES).toString('latin1') === digest) cachedData = bytes.subarray(HASH_BYTES);
  }
  const script = new vm.Script(Module.wrap(source), { filename: file, cachedData });
  const mod = new Module(file, module);
  mod.filename = file;
  mod.paths = Module._nodeModulePaths(dirname(file));
  const req = Module.createRequire(file);
  script.runInThisContext().call(mod.exports, mod.exports, req, mod, file, dirname(file));
  mod.loaded = true;
  return {
    exports: mod.exports,
    /** Whether V8 used the cache. */
    cached: cachedData !== undefined && !script.cachedDataRejected,
    /** Write the cache: the functions compiled so far are in it. */
    write() {
      const temp = `${cacheFile}.${process.pid}.tmp`;
      try {
        writeFileSync(temp, Buffer.concat([Buffer.from(digest, 'latin1'), script.createCachedData()]));
        renameSync(temp, cacheFile);
      } finally {
        rmSync(temp, { force: true }); // gone after the rename; left by a failed write otherwise
      }
    },
  };
}

module.exports = { requireCached };
