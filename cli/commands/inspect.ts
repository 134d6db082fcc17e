/** `tickwork inspect`: schema, statistics and the data check. */
import { TickworkError } from '../../shared/errors.js';
import { UsageError, sourceOf, type Flags } from '../flags.js';
import { openWithProgress, withService } from '../session.js';

export async function cmdInspect(values: Flags): Promise<void> {
  const get = (k: string) => values[k] as string | undefined;
  if (!get('data')) throw new UsageError('inspect needs --data <path|bundled-name>');
  await withService(values, async (api) => {
    const summary = await openWithProgress(api, sourceOf(get('data')!, get('sheet')), values, 'inspect');
    const target = get('target') ?? summary.suggestedTarget;
    if (get('target') && !summary.columns.some((c) => c.name === target)) {
      throw new TickworkError('bad_data', `${summary.name} has no column "${target}". Columns: ${summary.columns.map((c) => c.name).join(', ')}.`);
    }
    const findings = await api.checkDataset({ datasetId: summary.id, target });
    if (values.json === true) {
      console.log(
        JSON.stringify({
          rows: summary.rows,
          ...(summary.sample ? { sampledFrom: summary.sample.totalRows } : {}),
          delimiter: summary.delimiter,
          target,
          columns: summary.columns.map(({ name, type, missing, distinct, min, max, mean, std, top }) => ({ name, type, missing, distinct, min, max, mean, std, top })),
          findings,
        }),
      );
      return;
    }
    console.log(`${summary.name}: ${summary.rows} rows × ${summary.columns.length} columns${summary.delimiter ? `, delimiter "${summary.delimiter === '\t' ? 'tab' : summary.delimiter}"` : ''}`);
    const num = (v: number | null) => (v === null ? '' : Number(v.toPrecision(4)).toString());
    for (const c of summary.columns) {
      const detail = c.min !== null ? `${num(c.min)} … ${num(c.max)}, mean ${num(c.mean)}, std ${num(c.std)}` : c.top.slice(0, 4).map((t) => `${t.value} (${t.count})`).join(', ');
      console.log(`  ${c.name.padEnd(20)} ${c.type.padEnd(12)} missing ${String(c.missing).padEnd(6)} distinct ${String(c.distinct).padEnd(7)} ${detail}${c.name === target ? '  ← target' : ''}`);
    }
    if (findings.length === 0) console.log('data check: nothing to report');
    for (const f of findings) console.log(`${f.severity === 'error' ? 'ERROR  ' : 'warning'} [${f.code}] ${f.message}`);
  });
}
