/** `tickwork predict`: score a file with an exported model. */
import { UsageError } from '../flags.js';
import { withService } from '../session.js';

export async function cmdPredict(values: Record<string, string | boolean | undefined>): Promise<void> {
  const get = (k: string) => values[k] as string | undefined;
  if (!get('model')) throw new UsageError('predict needs --model <export folder>');
  if (!get('data')) throw new UsageError('predict needs --data <csv>');
  if (!get('out')) throw new UsageError('predict needs --out <csv>');
  await withService(values, async (api) => {
    const model = await api.loadModel({ dir: get('model')! });
    if (process.stderr.isTTY) {
      api.onScoringProgress((p) => process.stderr.write(`\r\x1b[2Kscoring ${p.done.toLocaleString()} / ${p.total.toLocaleString()} rows`));
    }
    const result = await api.scoreFile({ modelId: model.modelId, input: get('data')!, output: get('out')!, force: values.force === true });
    if (process.stderr.isTTY) process.stderr.write('\r\x1b[2K');
    for (const warning of result.warnings) process.stderr.write(`warning: ${warning}\n`);
    if (values.json === true) console.log(JSON.stringify(result));
    else console.log(`scored ${result.rows} rows → ${result.output}`);
  });
}
