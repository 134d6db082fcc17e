/**
 * `tickwork explain --model <dir|zip|run:ID> --data FILE [--target COL] [--repeats 5] [--json]`:
 * which columns the model relies on — permutation importance on FILE's rows, most important
 * first; with --json the last line is {"metric", "importance": [{"column", "mean", "std"}]}.
 */
import { numberFlag, UsageError, type Flags } from '../flags.js';
import { withService } from '../session.js';

export async function cmdExplain(values: Flags): Promise<void> {
  const get = (k: string) => values[k] as string | undefined;
  if (!get('model')) throw new UsageError('explain needs --model <export folder, .zip or run:ID>');
  if (!get('data')) throw new UsageError("explain needs --data <file with the model's columns and the target>");
  const repeats = numberFlag('repeats', get('repeats'), true);
  await withService(values, async (api) => {
    const model = await api.loadModel({ dir: get('model')! });
    process.stderr.write(`shuffling each of ${model.inputs.length} columns ${repeats ?? 5} times…\n`);
    const result = await api.explainModel({ modelId: model.modelId, input: get('data')!, ...(get('target') ? { target: get('target') } : {}), ...(repeats !== undefined ? { repeats } : {}) });
    if (values.json === true) {
      console.log(JSON.stringify({ metric: result.metric, baseline: result.baseline, rows: result.rows, repeats: result.repeats, importance: result.importance }));
      return;
    }
    console.log(`rise in ${result.metric} when a column is shuffled (${result.repeats} repeats, ${result.rows} rows; ${result.metric} ${result.baseline.toFixed(4)} as it is):`);
    const width = Math.max(...result.importance.map((c) => c.column.length), 6);
    for (const c of result.importance) console.log(`  ${c.column.padEnd(width)}  ${c.mean.toFixed(4).padStart(9)} ± ${c.std.toFixed(4)}`);
  });
}
