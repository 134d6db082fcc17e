/**
 * Replies about a dataset stay bounded whatever the file holds: a cell, a frequent value or a
 * finding longer than its limit is cut and marked with "…", so a few rows of multi-megabyte
 * cells cannot make a preview too large to serialize (JSON.stringify has V8's ~512 MB string
 * limit). The data itself (training, scoring) keeps every character; only what is shown is cut.
 */
import type { DatasetSummary } from '../shared/contract.js';

/** Characters a preview cell (or a column's frequent value) keeps before it is cut. */
export const MAX_CELL_CHARS = 2000;
/** Characters a finding's message keeps. */
export const MAX_MESSAGE_CHARS = 1000;
export const CUT_MARKER = '…';

export function clipText(value: string, max: number): string {
  return value.length > max ? value.slice(0, max) + CUT_MARKER : value;
}

export function clipCell(value: string | null): string | null {
  return value === null ? null : clipText(value, MAX_CELL_CHARS);
}

export function clipRow(row: (string | null)[]): (string | null)[] {
  return row.map(clipCell);
}

/** The summary as sent: preview cells, frequent values and finding messages cut to their limits. */
export function boundedSummary(summary: DatasetSummary): DatasetSummary {
  return {
    ...summary,
    preview: summary.preview.map(clipRow),
    columns: summary.columns.map((c) => ({ ...c, top: c.top.map((t) => ({ ...t, value: clipText(t.value, MAX_CELL_CHARS) })) })),
    findings: summary.findings.map((f) => ({ ...f, message: clipText(f.message, MAX_MESSAGE_CHARS) })),
  };
}
