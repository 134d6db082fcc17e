/** `tickwork datasets`: the bundled datasets. */
import { listBundled } from '../../models/data/bundled.js';

export async function cmdDatasets(json: boolean): Promise<void> {
  const datasets = listBundled();
  if (json) {
    console.log(JSON.stringify(datasets));
    return;
  }
  for (const d of datasets) console.log(`${d.name.padEnd(12)} ${d.title} — ${d.description} (target: ${d.target})`);
}
