/**
 * `tickwork` — the command line: the same WorkbenchService, driven from a terminal or a script.
 * This file parses the flags and hands them to one command (cli/commands/<name>.ts); flags.ts
 * turns flags into settings, session.ts starts the service, usage.ts is the help text.
 *
 * Bad input exits with code 2 and one plain line on stderr; bugs exit with 1.
 */
import { parseArgs } from 'node:util';
import { TickworkError } from '../shared/errors.js';
import { cliMessage, UsageError } from './flags.js';
import { USAGE } from './usage.js';
import { cmdDatasets } from './commands/datasets.js';
import { cmdExport } from './commands/export.js';
import { cmdExplain } from './commands/explain.js';
import { cmdInspect } from './commands/inspect.js';
import { cmdLrFind } from './commands/lr-find.js';
import { cmdPredict } from './commands/predict.js';
import { cmdRace } from './commands/race.js';
import { cmdRuns } from './commands/runs.js';
import { cmdServe } from './commands/serve.js';
import { serveModelCommand } from './commands/serve-model.js';
import { cmdTrain } from './commands/train.js';

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (!command || command === '--help' || command === '-h' || command === 'help') {
      console.log(USAGE);
      return command ? 0 : 2;
    }
    if (command === 'serve-model') return await serveModelCommand(rest); // its own flags; -1 keeps running
    const { values, positionals } = parseArgs({
      args: rest,
      strict: true,
      // Only `runs` takes words after the command (runs show ID).
      allowPositionals: command === 'runs',
      options: {
        workspace: { type: 'string' },
        positive: { type: 'string' },
        repeats: { type: 'string' },
        cv: { type: 'string' },
        threshold: { type: 'string' },
        'no-workspace': { type: 'boolean' },
        status: { type: 'string' },
        dataset: { type: 'string' },
        'new-token': { type: 'boolean' },
        'print-url': { type: 'boolean' },
        data: { type: 'string' },
        target: { type: 'string' },
        test: { type: 'string' },
        task: { type: 'string' },
        hidden: { type: 'string' },
        activation: { type: 'string' },
        optimizer: { type: 'string' },
        lr: { type: 'string' },
        'warmup-steps': { type: 'string' },
        epochs: { type: 'string' },
        'batch-size': { type: 'string' },
        seed: { type: 'string' },
        backend: { type: 'string' },
        out: { type: 'string' },
        model: { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string' },
        json: { type: 'boolean' },
        force: { type: 'boolean' },
        'allow-dir': { type: 'string' },
        schedule: { type: 'string' },
        'weight-decay': { type: 'string' },
        dropout: { type: 'string' },
        'batch-norm': { type: 'boolean' },
        l2: { type: 'string' },
        'clip-norm': { type: 'string' },
        accumulate: { type: 'string' },
        'class-weights': { type: 'string' },
        'early-stopping': { type: 'string' },
        steps: { type: 'string' },
        'min-lr': { type: 'string' },
        'max-lr': { type: 'string' },
        optimizers: { type: 'string' },
        format: { type: 'string' },
        sheet: { type: 'string' },
        quantize: { type: 'string' },
        'max-rows': { type: 'string' },
        missing: { type: 'string' },
        sql: { type: 'string' },
        ignore: { type: 'string' },
        categorical: { type: 'string' },
        impute: { type: 'string' },
        scale: { type: 'string' },
        'max-categories': { type: 'string' },
      },
    });
    switch (command) {
      case 'datasets':
        await cmdDatasets(values.json === true);
        return 0;
      case 'train':
        await cmdTrain(values);
        return 0;
      case 'predict':
        await cmdPredict(values);
        return 0;
      case 'lr-find':
        await cmdLrFind(values);
        return 0;
      case 'race':
        await cmdRace(values);
        return 0;
      case 'export':
        await cmdExport(values);
        return 0;
      case 'inspect':
        await cmdInspect(values);
        return 0;
      case 'explain':
        await cmdExplain(values);
        return 0;
      case 'runs':
        await cmdRuns(values, positionals);
        return 0;
      case 'serve':
        return (await cmdServe(values)) ? -1 : 0; // -1: keeps running
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (err) {
    if (err instanceof TickworkError && err.code !== 'internal') {
      console.error(`tickwork: ${cliMessage(err)}`);
      return 2;
    }
    if ((err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`tickwork: ${(err as Error).message}\nRun "tickwork --help" for usage.`);
      return 2;
    }
    console.error(`tickwork: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return 1;
  }
}
