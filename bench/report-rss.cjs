// Preloaded by bench/data-read.mjs: print the process's peak resident memory on exit.
process.on('exit', () => process.stderr.write(`max-rss-kb ${process.resourceUsage().maxRSS}\n`));
