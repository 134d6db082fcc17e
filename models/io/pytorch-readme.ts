/**
 * README.md of a PyTorch hand-off folder: what the recipe reproduces, the commands for one
 * process, a GPU, torchrun and ranks started by hand, and what the folder it writes holds.
 */
import { describeNetwork } from '../../shared/network.js';
import type { ExportBundle } from './export-folder.js';

const quote = (path: string) => (/^[\w./-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`);

export function pytorchReadme(bundle: ExportBundle, options: { dataFile: string | null }): string {
  const c = bundle.runConfig!;
  const p = bundle.preprocessing;
  const s = bundle.split;
  const data = options.dataFile ?? quote(c.dataset.source);
  const test = c.testSource ? ` --test ${quote(c.testSource)}` : '';
  const run = `--data ${data}${test}`;
  const rows = s ? `${s.train.length} training, ${s.validation.length} validation and ${s.test.length} test rows` : 'the run’s split';
  return `# Tickwork run → PyTorch: predicts \`${p.target}\` (${c.task})

This folder is a training recipe. \`train.py\` trains the network of this Tickwork run with PyTorch —
on this machine, a GPU server or a cluster — and writes a **Tickwork export folder** that
\`tickwork predict --model OUT\` scores with and that Tickwork can take back as a run.

The run: ${c.model.hidden.length === 0 ? 'a linear model (no hidden layers)' : `MLP ${describeNetwork(c.model)}`}, ${c.optimizer.name} (lr ${c.optimizer.lr}),
${c.schedule.kind} schedule with ${c.schedule.warmupSteps} warmup steps, batch ${c.batchSize}, ${c.epochs} epochs, seed ${c.seed};
data \`${c.dataset.name}\` (${c.dataset.rows} rows, sha256 ${c.dataset.sha256.slice(0, 12)}…), ${rows}.
${options.dataFile ? `\`${options.dataFile}\` is that bundled dataset as CSV.\n` : ''}
Needs Python 3.8+, PyTorch (1.13 or newer) and NumPy. pandas, when installed, reads large files faster.

## Train

\`\`\`sh
python3 train.py ${run} --out trained                       # CPU, or CUDA when available
python3 train.py ${run} --out trained --device cuda         # a GPU (says so plainly when there is none)
python3 train.py ${run} --out trained --init tickwork       # continue from the Tickwork model's weights
python3 train.py ${run} --out trained --init tickwork --epochs 0   # only evaluate the Tickwork model
npx tickwork predict --model trained --data new-rows.csv --out scored.csv
\`\`\`

On several GPUs or machines (DistributedDataParallel: nccl on CUDA, gloo on CPU; the batch size of
the run is the global batch, split across the ranks; only rank 0 writes the folder):

\`\`\`sh
torchrun --nproc_per_node 4 train.py ${run} --out trained --device cuda
torchrun --nnodes 2 --nproc_per_node 8 --rdzv_backend c10d --rdzv_endpoint HOST:29400 train.py ${run} --out trained --device cuda
\`\`\`

Where \`torchrun\` does not start (Debian's PyTorch 1.13 torchrun fails inside its elastic launcher
with \`AttributeError: 'NoneType' object has no attribute 'get'\`), start the ranks yourself:

\`\`\`sh
export WORLD_SIZE=2 MASTER_ADDR=127.0.0.1 MASTER_PORT=29500 OMP_NUM_THREADS=1
RANK=0 LOCAL_RANK=0 python3 train.py ${run} --out trained &
RANK=1 LOCAL_RANK=1 python3 train.py ${run} --out trained
wait
\`\`\`

Options: \`--epochs N\` and \`--batch-size N\` override the run's; \`--split run|fresh\` (default: the run's
rows when the data file is the run's file — same sha256 or same number of rows — else a fresh
split of this file with the run's seed and shares, e.g. for the full table a sample was taken from);
\`--shuffle tickwork|torch\` (default: Tickwork's seeded batch order up to 4 million rows, torch's
permutation beyond); \`--reader csv|pandas\`; \`--missing "NA,?"\`; \`--log-steps FILE\` writes every
step's learning rate and loss. Bad input prints one line starting with \`train.py:\` and exits with 2.

## What is reproduced

The same reading of the file (delimiter, quotes, encodings, missing tokens, numbers in decimal
notation only), the preprocessing in \`preprocessing.json\` (imputation, standard / min-max / robust
scaling, one-hot with its cap and "(other)", booleans, date parts), the rows of \`split.json\`, the
network (Dense → activation → Keras-style batch norm → dropout), the loss (clipped probabilities,
class weights, L1/L2 on the kernels), the optimizer (torch.optim, or the rule written out for
Adafactor and Lion), the learning rate of every step (warmup and schedule as Tickwork computes it),
reduce-on-plateau, gradient accumulation, clipping by value and by global norm, early stopping with
the best weights restored, the regression target's standardization, and Tickwork's seeded batch
order. Not bit for bit: initial weights (torch's seeded Glorot draw, unless \`--init tickwork\`),
dropout masks, and float rounding, so metrics agree closely rather than exactly. With
\`--init tickwork\` the optimizer state starts fresh and the schedule from step 0.

## The folder it writes (\`--out\`)

| file | what |
|---|---|
| \`model.json\` + \`weights.bin\` | the trained model, TensorFlow.js Layers format, Tickwork's layer and weight names |
| \`model.onnx\` | the same model (opset 13), inputs and outputs as Tickwork's own \`model.onnx\` |
| \`preprocessing.json\` | this recipe's, unchanged (the model takes the same inputs) |
| \`run-config.json\` | this run's settings plus \`trainedBy\` (below) |
| \`metrics.json\` | \`train\`, \`validation\`, \`test\`: the same metric keys as Tickwork's |
| \`history.jsonl\` | one line per epoch: \`epoch\`, \`step\`, \`train\`, \`validation\`, \`lr\`, \`seconds\` |
| \`split.json\` | the rows used (data record numbers of the file; line = row + 2) |
| \`README.md\` | a short model card |

\`trainedBy\`: \`tool\` ("pytorch"), \`recipe\` (version), \`torch\`, \`numpy\`, \`python\`, \`host\`,
\`device\`, \`worldSize\`, \`distributedBackend\`, \`status\` (completed / failed), \`message\`, \`steps\`,
\`epochs\` (run), \`batchSize\`, \`init\`, \`split\` (run / fresh), \`shuffle\`, \`startedAt\`, \`finishedAt\`
(ISO 8601, UTC), \`seconds\`, \`events\` (early stop, learning rate reduced: \`step\`, \`epoch\`, \`kind\`,
\`message\`), \`data\` (\`file\`, \`sha256\`, \`rows\` per part, \`test\` file).
`;
}
