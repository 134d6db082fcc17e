/** `tickwork lr-find`: the learning-rate range test. */
import { numberFlag, UsageError, sourceOf, configFromFlags, type Flags } from '../flags.js';
import { openWithProgress, withService } from '../session.js';

export async function cmdLrFind(values: Flags): Promise<void> {
  const get = (k: string) => values[k] as string | undefined;
  if (!get('data')) throw new UsageError('lr-find needs --data <path|bundled-name>');
  const config = configFromFlags(values);
  const source = sourceOf(get('data')!);
  await withService(values, async (api) => {
    const dataset = await openWithProgress(api, source, values);
    process.stderr.write('sweeping the learning rate…\n');
    const result = await api.findLearningRate({
      datasetId: dataset.id,
      config,
      steps: numberFlag('steps', get('steps'), true),
      minLr: numberFlag('min-lr', get('min-lr'), false),
      maxLr: numberFlag('max-lr', get('max-lr'), false),
    });
    const { steepest, minLossOver10 } = result.suggestions;
    if (values.json === true) {
      console.log(JSON.stringify({ ...result, suggestedLr: steepest ?? minLossOver10 }));
      return;
    }
    const every = Math.max(1, Math.floor(result.lrs.length / 12));
    console.log('learning rate   smoothed loss');
    for (let i = 0; i < result.lrs.length; i += every) {
      console.log(`${result.lrs[i].toExponential(2).padStart(13)}   ${result.smoothed[i].toFixed(4)}`);
    }
    console.log(`sweep ${result.ended === 'diverged' ? 'stopped when the loss diverged' : 'complete'} after ${result.lrs.length} steps`);
    console.log(`suggested lr (steepest descent): ${steepest === null ? '—' : steepest.toExponential(2)}`);
    console.log(`suggested lr (min loss / 10):    ${minLossOver10 === null ? '—' : minLossOver10.toExponential(2)}`);
  });
}
