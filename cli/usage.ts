/** The text of `tickwork --help`. */
import { DATA_FORMATS } from '../shared/formats.js';
import { ACTIVATIONS, BACKEND_PREFERENCES, OPTIMIZER_NAMES, SCHEDULE_KINDS } from '../shared/run-config.js';

export const USAGE = `Tickwork — train neural networks on local tabular data.

Usage:
  tickwork datasets                         list the bundled datasets
  tickwork inspect --data <path|name> [--target <column>] [--json]   schema, statistics and the data check
  tickwork train --data <path|name> --target <column> [--out <dir>] [options]   recorded in the workspace
  tickwork lr-find --data <path|name> --target <column> [train options] [--steps 200] [--min-lr 1e-7] [--max-lr 10]
  tickwork race --data <path|name> --target <column> --out <dir> [--optimizers sgd,adam,adamw] [--lr …] [train options]
  tickwork predict --model <dir|zip|run:ID> --data <csv> --out <csv> [--force]
  tickwork export --model <dir|zip|run:ID> --format tfjs|onnx|zip|pytorch --out <path> [--quantize float16|int8] [--force]
  tickwork explain --model <dir|zip|run:ID> --data <file> [--target <column>] [--repeats 5] [--json]   which columns matter
  tickwork runs list [--json] [--dataset NAME] [--status S]     the workspace's runs, newest first
  tickwork runs show|delete ID [--json]     one run (6+ characters of its id are enough)
  tickwork runs export ID --out <path> [--format tfjs|onnx|zip]
  tickwork runs import <dir|zip> [--json]   a run trained elsewhere (the folder train.py wrote), marked imported
  tickwork serve [--port 8765] [--host 127.0.0.1] [--new-token] [--print-url] [--allow-dir DIR[:DIR…]]   browser mode (prints the URL with its token)
  tickwork serve-model --model <dir|zip|run:ID> [--port 8780] [--workers N] [--help]   HTTP scoring service

Every command: --workspace DIR (default $TICKWORK_WORKSPACE, else the per-user data folder), --no-workspace (keep nothing)
Writing files: an export or a scored file replaces only an earlier one Tickwork wrote; --force writes over another file,
  or into a folder with other files (they are kept). Browser mode writes only under the workspace, ~/Downloads, folders
  data was opened from and --allow-dir folders.

Train options:
  --test <path|name>      evaluate on this file instead of a split of --data
  --sheet <name|number>   Excel: which sheet (default: the first)
  --max-rows N            train on a random sample of N rows of a larger file (default 2,000,000)
  --missing "NA,?,-"      cells read as missing (default: empty NA N/A NaN null None ? -)
  --sql "SELECT … FROM data WHERE …"   the dataset is this query's result (inspect, train, race, lr-find):
                          filter, rename, derive columns, JOIN 'other.csv'; predict repeats it
  Data files (read by DuckDB; Excel by read-excel-file): ${DATA_FORMATS.map((f) => `${f.label} (${f.extensions.join(' ')}${f.reading === 'streamed' ? ', streamed' : ''})`).join(', ')}
  --ignore col,col        leave these columns out     --categorical col,col   read these number columns as categories
  --impute mean|median    missing numbers (categories get a "(missing)" input)
  --scale standard|minmax|robust|none      --max-categories 50   (the rest share "(other)")
  --task binary|multiclass|regression   (default: detected from the target)
  --positive LABEL        binary: the positive class (default: the less frequent one)
  --threshold 0.5         binary: P(positive) at or above which the positive class is predicted
  --repeats N             train N runs differing only in their seed (mean ± sd of their metrics)
  --cv K                  K-fold cross-validation of the training part, then a final model on all of it
  --hidden 64,64          hidden layer sizes ("" for none); per layer, after colons: an activation,
                          bn (batch norm), dropout=R, l1=R, l2=R — e.g. 128:bn:dropout=0.2,64:tanh,32
  --activation relu       ${ACTIVATIONS.join('|')}
  --optimizer adam        ${OPTIMIZER_NAMES.join('|')}
  --lr 0.001              learning rate
  --weight-decay 0        (adamw: decoupled; others: L2 added to the gradient)
  --schedule constant     ${SCHEDULE_KINDS.join('|')}
  --warmup-steps 0        linear warmup from 0 to --lr over this many steps
  --epochs N              default: about 2,000 steps' worth, 10–200, ended early when validation loss stalls
  --batch-size 32  --seed 42
  --dropout 0  --batch-norm  --l2 0
  --clip-norm N           clip the global gradient norm    --accumulate K   average K batches per step
  --class-weights balanced   --early-stopping PATIENCE (0: off; default 10 on validation loss)
  --backend auto          ${BACKEND_PREFERENCES.join('|')} (or TICKWORK_BACKEND)
  --json                  print one JSON object as the last line of stdout
`;
