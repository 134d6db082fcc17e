/**
 * Training speed against PyTorch, per workload and backend (`npm run bench`).
 *
 * Workloads (binary label, Adam lr 1e-3, 5 epochs, the data of bench/speed-data.ts):
 *   reference   32-64-64-1 MLP, 20,000 rows, batch 128
 *   batch 32    the same with batch 32 (the app's default batch size)
 *   256-256     32-256-256-1 MLP, 20,000 rows, batch 128
 *   1M rows     32-64-64-1 MLP, 1,000,000 rows, batch 128      (only with --large: a 280 MB CSV)
 *
 * For each workload it writes the CSV, then, interleaved `--repeats` times (default 3):
 *   - PyTorch (bench/pytorch_mlp.py, one thread) as its own process on the CSV, when a Python
 *     that imports torch is found: whole-process wall time, and its per-epoch training passes;
 *   - `tickwork train` as its own process on the same CSV, per backend (and with the tfjs tape,
 *     TICKWORK_KERNEL=off): whole-process wall time;
 *   - Tickwork's loop in this process (trainModel on the same rows, as many as the CLI's 70%
 *     training split): the training pass of each epoch.
 * Per epoch is the fastest training pass of epochs 2–5 over all repeats (epoch 1 warms up the
 * JIT, on both sides), evaluation excluded on both sides, as wall time and as the process's CPU
 * time; whole process is the median of the repeats, as wall time and (where GNU time is
 * installed) as CPU time, user + system over all threads. CPU time is what other load on a
 * shared machine disturbs less. Ratios are Tickwork / PyTorch: below
 * 1 is faster than PyTorch.
 *
 *   npm run bench                          all workloads but 1M rows, every backend that loads
 *   npm run bench -- --large               also 1,000,000 rows (slow: minutes)
 *   npm run bench -- --only reference --backends wasm --repeats 5 --json figures.json
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { selectBackend } from '../models/backend.js';
import { loopConfig, trainModel, type DataPart } from '../models/train/loop.js';
import type { StepInfo } from '../models/train/callbacks.js';
import type { Engine } from '../models/train/step.js';
import type { BackendPreference } from '../shared/run-config.js';
import { head, syntheticRows, writeCsv } from './speed-data.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FEATURES = 32;
const EPOCHS = 5;

interface Workload {
  id: string;
  title: string;
  rows: number;
  hidden: number[];
  batch: number;
  large?: boolean;
}

const WORKLOADS: Workload[] = [
  { id: 'reference', title: 'reference: 32-64-64-1, 20,000 rows, batch 128', rows: 20_000, hidden: [64, 64], batch: 128 },
  { id: 'batch32', title: 'batch 32: 32-64-64-1, 20,000 rows, batch 32', rows: 20_000, hidden: [64, 64], batch: 32 },
  { id: '256-256', title: '256-256: 32-256-256-1, 20,000 rows, batch 128', rows: 20_000, hidden: [256, 256], batch: 128 },
  { id: '1m', title: '1M rows: 32-64-64-1, 1,000,000 rows, batch 128', rows: 1_000_000, hidden: [64, 64], batch: 128, large: true },
];

/** One way of running Tickwork: a tfjs backend and what runs the steps. */
interface Variant {
  backend: Exclude<BackendPreference, 'auto'>;
  engine: Exclude<Engine, 'auto'>;
}

interface Row {
  label: string;
  epochSeconds: number[];
  epochCpuSeconds: number[];
  processSeconds: number[];
  processCpuSeconds: number[];
  note?: string;
}

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const median = (xs: number[]) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fastest = (xs: number[]) => (xs.length ? Math.min(...xs) : NaN);

/** The first Python that imports torch (Debian's /usr/bin/python3 has it here; the python3 on PATH may not). */
function findTorchPython(): { python: string; version: string } | null {
  for (const python of ['/usr/bin/python3', 'python3', 'python']) {
    const probe = spawnSync(python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
    if (probe.status === 0) return { python, version: probe.stdout.trim() };
  }
  return null;
}

/** GNU time, where installed, adds each process's CPU time (user + system, all threads): steadier than wall time on a busy machine. */
const GNU_TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;

interface Timed {
  seconds: number;
  cpuSeconds: number | null;
  stdout: string;
  stderr: string;
  status: number | null;
}

function timed(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Timed {
  const started = performance.now();
  const r = GNU_TIME
    ? spawnSync(GNU_TIME, ['-f', 'tickwork-bench-time %U %S', command, ...args], { encoding: 'utf8', env, maxBuffer: 64 << 20 })
    : spawnSync(command, args, { encoding: 'utf8', env, maxBuffer: 64 << 20 });
  const seconds = (performance.now() - started) / 1000;
  const cpu = r.stderr?.match(/tickwork-bench-time ([\d.]+) ([\d.]+)\s*$/);
  // GNU time's own lines ("Command exited with non-zero status 1", the figures) are not the command's.
  const stderr = (r.stderr ?? '').replace(/(Command exited with non-zero status \d+\n)?tickwork-bench-time [\d. ]+\s*$/, '');
  return { seconds, cpuSeconds: cpu ? Number(cpu[1]) + Number(cpu[2]) : null, stdout: r.stdout, stderr, status: r.status };
}

function runPytorch(python: string, csv: string, w: Workload): { process: Timed; epochs: number[]; epochsCpu: number[] } | string {
  const script = join(ROOT, 'bench', 'pytorch_mlp.py');
  const r = timed(python, [script, '--csv', csv, '--target', 'label', '--hidden', w.hidden.join(','), '--batch', String(w.batch), '--epochs', String(EPOCHS), '--threads', '1']);
  if (r.status !== 0) return `failed: ${r.stderr.trim().split('\n').pop()}`;
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { epochSeconds: number[]; epochCpuSeconds: number[] };
  return { process: r, epochs: out.epochSeconds.slice(1), epochsCpu: out.epochCpuSeconds.slice(1) };
}

function runCli(csv: string, w: Workload, v: Variant, outDir: string): Timed | string {
  const args = [join(ROOT, 'bin', 'tickwork.js'), 'train', '--data', csv, '--target', 'label', '--hidden', w.hidden.join(','), '--batch-size', String(w.batch),
    '--epochs', String(EPOCHS), '--optimizer', 'adam', '--lr', '0.001', '--early-stopping', '0', '--backend', v.backend, '--out', outDir, '--json'];
  const env = { ...process.env, TICKWORK_KERNEL: v.engine === 'tape' ? 'off' : 'auto' };
  const r = timed(process.execPath, args, env);
  if (r.status !== 0) return `failed: ${(r.stderr.match(/tickwork: .*|Error: .*/)?.[0] ?? (r.stderr || r.stdout).trim().split('\n').pop())}`;
  const summary = JSON.parse(r.stdout.trim().split('\n').pop()!) as { status: string; backend: string };
  if (summary.status !== 'completed' || summary.backend !== v.backend) return `unexpected run: ${JSON.stringify(summary)}`;
  return r;
}

const cpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/** The training pass of epochs 2–5 of Tickwork's loop in this process, wall and CPU seconds: from the end of the previous epoch's callbacks to the epoch's last step. */
async function runLoop(data: DataPart, validation: DataPart, w: Workload, v: Variant): Promise<{ wall: number[]; cpu: number[] }> {
  const config = loopConfig({ model: { hidden: w.hidden }, batchSize: w.batch, epochs: EPOCHS, optimizer: { name: 'adam', lr: 0.001 }, earlyStopping: null });
  let wallStart = performance.now();
  let cpuStart = cpuSeconds();
  const passes = { wall: [] as number[], cpu: [] as number[] };
  const result = await trainModel(
    { config, task: 'binary', classes: 2, targetStats: null, train: data, validation, test: null },
    {
      engine: v.engine,
      callbacks: [
        {
          onStepEnd: (info: StepInfo) => {
            if (info.step === info.epoch * (info.totalSteps / EPOCHS) && info.epoch > 1) {
              passes.wall.push((performance.now() - wallStart) / 1000);
              passes.cpu.push(cpuSeconds() - cpuStart);
            }
          },
          onEpochEnd: () => {
            wallStart = performance.now();
            cpuStart = cpuSeconds();
          },
        },
      ],
    },
  );
  if (result.engine !== v.engine) throw new Error(`asked for ${v.engine} steps, ran ${result.engine}: ${result.engineFallback}`);
  result.model.dispose();
  return passes;
}

const f = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '—');
const ratio = (a: number, b: number) => (Number.isFinite(a) && Number.isFinite(b) ? `${(a / b).toFixed(2)}×` : '—');

async function main(): Promise<void> {
  const repeats = Number(flag('repeats') ?? 3);
  const only = flag('only')?.split(',');
  const large = process.argv.includes('--large');
  const wantedBackends = (flag('backends')?.split(',') ?? ['tensorflow', 'wasm', 'cpu']) as Variant['backend'][];
  const workloads = WORKLOADS.filter((w) => (only ? only.includes(w.id) : !w.large || large));
  const torch = findTorchPython();
  console.log(
    `Training speed: Tickwork vs PyTorch, ${EPOCHS} epochs, Adam; per epoch = fastest training pass of epochs 2–${EPOCHS} over ${repeats} runs ` +
      `(1M rows: one), process = median wall time and CPU time (user + system) of the whole process.`,
  );
  console.log(`Node ${process.versions.node} (V8 ${process.versions.v8}) on ${cpus()[0]?.model ?? 'an unknown CPU'} × ${cpus().length}`);
  console.log(torch ? `PyTorch ${torch.version} (${torch.python}), one thread` : 'PyTorch: skipped — no Python on this machine imports torch (tried /usr/bin/python3, python3, python)');

  // Which backends load here; the native one is named with the reason it did not.
  const backends: Variant['backend'][] = [];
  for (const b of wantedBackends) {
    try {
      const info = await selectBackend(b);
      backends.push(b);
      console.log(`backend ${b}: ${info.detail}${info.fallbacks.length ? ` (${info.fallbacks.join('; ')})` : ''}`);
    } catch (err) {
      console.log(`backend ${b}: not timed — ${(err as Error).message.split('\n')[0]}`);
    }
  }

  const dir = mkdtempSync(join(tmpdir(), 'tickwork-speed-'));
  const figures: Record<string, Row[]> = {};
  try {
    for (const w of workloads) {
      console.log(`\n${w.title}`);
      const all = syntheticRows(w.rows, FEATURES);
      const csv = join(dir, `${w.id}.csv`);
      await writeCsv(csv, all);
      const trainRows = w.rows - 2 * Math.round(w.rows * 0.15);
      const train = head(all, trainRows);
      const validation = { x: all.x.subarray(trainRows * FEATURES), y: all.y.subarray(trainRows), rows: w.rows - trainRows, cols: FEATURES };
      // The kernel on every CPU backend that loads (the whole process on wasm, the default; on cpu for the reference), the tape on a native one.
      const variants: Array<Variant & { runs: number; process: boolean }> = [];
      for (const backend of backends) {
        if (backend === 'tensorflow') variants.push({ backend, engine: 'tape', runs: repeats, process: true });
        else {
          variants.push({ backend, engine: 'kernel', runs: repeats, process: backend === 'wasm' || w.id === 'reference' });
          // The tape for comparison on the reference workload only, once (it takes ~10× longer; the whole process on wasm only).
          if (w.id === 'reference') variants.push({ backend, engine: 'tape', runs: 1, process: backend === 'wasm' });
        }
      }
      const row = (label: string): Row => ({ label, epochSeconds: [], epochCpuSeconds: [], processSeconds: [], processCpuSeconds: [] });
      const torchRow = row(torch ? `PyTorch ${torch.version}, 1 thread` : 'PyTorch');
      const rows = variants.map((v) => row(`Tickwork ${v.backend}, ${v.engine === 'kernel' ? 'dense kernel' : 'tfjs tape'}`));
      const record = (row: Row, t: Timed) => {
        row.processSeconds.push(t.seconds);
        if (t.cpuSeconds !== null) row.processCpuSeconds.push(t.cpuSeconds);
      };
      const runs = w.large ? 1 : repeats;
      for (let r = 0; r < runs; r++) {
        if (torch) {
          const t = runPytorch(torch.python, csv, w);
          if (typeof t === 'string') torchRow.note = t;
          else {
            record(torchRow, t.process);
            torchRow.epochSeconds.push(...t.epochs);
            torchRow.epochCpuSeconds.push(...t.epochsCpu);
          }
        }
        for (const [i, v] of variants.entries()) {
          if (r >= (w.large ? 1 : v.runs)) continue;
          if (v.process) {
            const t = runCli(csv, w, v, join(dir, 'model'));
            if (typeof t === 'string') rows[i].note = t;
            else record(rows[i], t);
          }
          await selectBackend(v.backend);
          const passes = await runLoop(train, validation, w, v);
          rows[i].epochSeconds.push(...passes.wall);
          rows[i].epochCpuSeconds.push(...passes.cpu);
        }
      }
      const columns = (r: Row) => [fastest(r.epochSeconds), fastest(r.epochCpuSeconds), median(r.processSeconds), median(r.processCpuSeconds)];
      const reference = columns(torchRow);
      const heading = ['s/epoch', 'cpu', 'process s', 'cpu'].map((h, i) => h.padStart(i === 2 ? 10 : 8)).join('');
      console.log(`  ${''.padEnd(34)} ${heading}   × PyTorch: ${['epoch', 'cpu', 'process', 'cpu'].map((h) => h.padStart(8)).join('')}`);
      for (const r of [torchRow, ...rows]) {
        const values = columns(r);
        const ratios = r === torchRow ? '' : values.map((v, i) => ratio(v, reference[i]).padStart(8)).join('');
        console.log(`  ${r.label.padEnd(34)} ${values.map((v, i) => f(v).padStart(i === 2 ? 10 : 8)).join('')}   ${''.padEnd(10)} ${ratios}${r.note ? `   ${r.note}` : ''}`);
      }
      figures[w.id] = [torchRow, ...rows];
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const json = flag('json');
  if (json) writeFileSync(json, JSON.stringify({ date: new Date().toISOString(), repeats, torch, figures }, null, 2));
}

void main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
