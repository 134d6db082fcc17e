// The Electron security scan in `npm test`: @doyensec/electronegativity over the Electron shell
// (electron/**/*.ts, which it parses as TypeScript) and the renderer's index.html (its CSP meta
// tag), offline, in a few seconds. Electronegativity itself exits 0 whatever it finds, so this
// script reads its findings (the documented programmatic API: the same issues its CSV/SARIF would
// hold, with their severity, which SARIF leaves out) and fails on:
//   - any HIGH or MEDIUM finding,
//   - any file it could not parse (it would skip that file's checks silently),
//   - a scan that loaded no checks or no file.
// It prints the counts by severity and each finding, the in-code exclusions (`eng-disable`
// comments, each with its reason on the same line), and writes test-results/electronegativity.json.
//
// Not run: AvailableSecurityFixesGlobalCheck, which looks up Electron releases on the network.
// The tool also fetches translations from the network on start; that fetch is answered "offline"
// here (its bundled English texts are used), so the scan never leaves the machine.
//
//   node scripts/electronegativity.mjs              scan electron/ and renderer/index.html
//   node scripts/electronegativity.mjs --input DIR  scan DIR instead (tests; no report file)
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
const started = Date.now();

const EXCLUDED_CHECKS = ['AvailableSecurityFixesGlobalCheck'];
const FAILING = new Set(['HIGH', 'MEDIUM']);
const SEVERITIES = ['HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL'];

// No network: electronegativity's translation download (got) fails at once instead of timing out.
const load = Module._load;
Module._load = function (request, parent, ...rest) {
  if (request === 'got' && parent?.filename?.includes(`${join('@doyensec', 'electronegativity')}`)) {
    return () => Promise.reject(new Error('offline: no translation download'));
  }
  return load.call(this, request, parent, ...rest);
};

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

/** A folder holding what is scanned, at the same relative paths as in the repository. */
function stage() {
  const dir = mkdtempSync(join(tmpdir(), 'tickwork-electronegativity-'));
  cpSync(join(root, 'electron'), join(dir, 'electron'), { recursive: true });
  mkdirSync(join(dir, 'renderer'));
  cpSync(join(root, 'renderer', 'index.html'), join(dir, 'renderer', 'index.html'));
  return dir;
}

const inputArg = process.argv.indexOf('--input');
const input = inputArg > 0 ? process.argv[inputArg + 1] : stage();
const staged = inputArg < 0;
const electronVersion = JSON.parse(readFileSync(require.resolve('electron/package.json'), 'utf8')).version;

const log = console.log;
let result;
try {
  const { default: run } = await import('@doyensec/electronegativity');
  console.log = () => undefined; // its start-up chatter ("could not retrieve translations")
  result = await run({
    input,
    isRelative: true,
    excludeFromScan: EXCLUDED_CHECKS.map((c) => c.toLowerCase()),
    electronVersionOverride: electronVersion,
    parserPlugins: [],
  });
} finally {
  console.log = log;
}

const scanned = files(input).map((f) => relative(input, f));
const issues = result.issues.map((i) => ({
  id: i.id,
  severity: i.severity.name,
  confidence: i.confidence.name,
  file: i.file,
  line: i.location?.line ?? 0,
  description: i.description,
  manualReview: Boolean(i.manualReview),
}));
const counts = Object.fromEntries(SEVERITIES.map((s) => [s, issues.filter((i) => i.severity === s).length]));
const parseErrors = result.errors.filter((e) => !e.tolerable).map((e) => ({ file: relative(input, e.file), message: e.message }));
const exclusions = scanned.flatMap((file) =>
  readFileSync(join(input, file), 'utf8')
    .split('\n')
    .flatMap((line, n) => (/eng-disable/.test(line) ? [`${file}:${n + 1}: ${line.slice(line.indexOf('eng-disable')).replace(/\s*(\*\/|-->)\s*$/, '')}`] : [])),
);
if (staged) rmSync(input, { recursive: true, force: true });

const problems = [];
if (result.atomicChecks === 0 || result.globalChecks === 0) problems.push(`no checks loaded (${result.atomicChecks} atomic, ${result.globalChecks} global)`);
if (scanned.length === 0) problems.push('no file to scan');
for (const e of parseErrors) problems.push(`could not parse ${e.file}: ${e.message}`);
const failing = issues.filter((i) => FAILING.has(i.severity));
if (failing.length > 0) problems.push(`${failing.length} HIGH/MEDIUM finding(s)`);

console.log(`electronegativity ${require('@doyensec/electronegativity/package.json').version}, Electron ${electronVersion}: ${scanned.length} files, ${result.atomicChecks} atomic + ${result.globalChecks} global checks (not run: ${EXCLUDED_CHECKS.join(', ')})`);
for (const i of issues) console.log(`  ${i.severity.padEnd(13)} ${i.confidence.padEnd(9)} ${i.id}  ${i.file}:${i.line}  ${i.description}`);
for (const e of exclusions) console.log(`  excluded in code: ${e}`);
console.log(`electronegativity findings: ${SEVERITIES.map((s) => `${s} ${counts[s]}`).join(', ')} (${((Date.now() - started) / 1000).toFixed(1)} s)`);

if (staged) {
  mkdirSync(join(root, 'test-results'), { recursive: true });
  writeFileSync(join(root, 'test-results', 'electronegativity.json'), JSON.stringify({ electronVersion, scanned, counts, issues, parseErrors, exclusions, excludedChecks: EXCLUDED_CHECKS }, null, 2));
}

if (problems.length > 0) {
  console.log(`electronegativity: FAILED — ${problems.join('; ')}. Fix the code, or, for a false positive only, add an \`eng-disable CHECK_ID: reason\` comment on the reported line.`);
  process.exit(1);
}
