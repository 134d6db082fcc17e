/**
 * The CLI's progress display on stderr: a redrawn bar on a terminal, one line per epoch
 * otherwise (logs, CI). stdout stays free for results and `--json`.
 */
import type { EpochRecord, EventPayload } from '../shared/contract.js';

const fmt = (v: number) => (Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(3) : v.toFixed(4));

export function formatMetrics(metrics: Record<string, number> | null): string {
  if (!metrics) return '—';
  return Object.entries(metrics)
    .map(([k, v]) => `${k} ${fmt(v)}`)
    .join('  ');
}

export class ProgressLine {
  private readonly tty: boolean;
  private drawn = false;

  constructor(private readonly stream: NodeJS.WriteStream) {
    this.tty = Boolean(stream.isTTY);
  }

  private clear(): void {
    if (this.tty && this.drawn) this.stream.write('\r\x1b[2K');
    this.drawn = false;
  }

  note(text: string): void {
    this.clear();
    this.stream.write(`${text}\n`);
  }

  update(p: EventPayload<'training:progress'>): void {
    if (!this.tty) return;
    const width = 24;
    const filled = Math.round((p.step / Math.max(1, p.totalSteps)) * width);
    const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
    this.stream.write(
      `\r\x1b[2K${bar} epoch ${p.epoch}/${p.epochs}  step ${p.step}/${p.totalSteps}  loss ${fmt(p.loss)}  lr ${p.lr.toExponential(2)}  ${p.stepsPerSecond.toFixed(0)} steps/s`,
    );
    this.drawn = true;
  }

  epoch(record: EpochRecord, epochs: number): void {
    this.clear();
    this.stream.write(`epoch ${record.epoch}/${epochs}  train: ${formatMetrics(record.train)}  validation: ${formatMetrics(record.validation)}\n`);
  }

  done(): void {
    this.clear();
  }
}
