/**
 * The data formats Tickwork opens, written once: the readers dispatch on it, and the Electron
 * dialogs, the renderer's file picker, the Data panel, the CLI's help and the README list it.
 * Adding a format is one entry here and its reader in models/data/.
 */
export type DataFormatId = 'delimited' | 'json' | 'jsonl' | 'parquet' | 'excel';

export interface DataFormat {
  id: DataFormatId;
  /** How the format is named to the user. */
  label: string;
  /** File extensions, lower case, with the dot. */
  extensions: readonly string[];
  /** streamed: read in chunks, any size (rows past the cap are sampled); whole: read at once, up to a size limit. */
  reading: 'streamed' | 'whole';
  /** MIME types a browser may report for it (file pickers). */
  mimeTypes?: readonly string[];
}

export const DATA_FORMATS: readonly DataFormat[] = [
  { id: 'delimited', label: 'CSV/TSV', extensions: ['.csv', '.tsv', '.txt', '.tab', '.dat'], reading: 'streamed', mimeTypes: ['text/csv'] },
  { id: 'json', label: 'JSON', extensions: ['.json'], reading: 'whole' },
  { id: 'jsonl', label: 'JSON Lines', extensions: ['.jsonl', '.ndjson'], reading: 'whole' },
  { id: 'parquet', label: 'Parquet', extensions: ['.parquet'], reading: 'whole' },
  { id: 'excel', label: 'Excel .xlsx', extensions: ['.xlsx'], reading: 'whole' },
];

/** The format of a file by its extension ("" — no extension — is read as delimited text); null when unsupported. */
export function formatOfExtension(extension: string): DataFormat | null {
  const ext = extension.toLowerCase();
  if (ext === '') return DATA_FORMATS[0];
  return DATA_FORMATS.find((f) => f.extensions.includes(ext)) ?? null;
}

/** Every supported extension (with the dot). */
export function dataFileExtensions(): string[] {
  return DATA_FORMATS.flatMap((f) => f.extensions);
}

/** The formats in words: "CSV/TSV, JSON, JSON Lines, Parquet or Excel .xlsx". */
export function describeFormats(): string {
  const labels = DATA_FORMATS.map((f) => f.label);
  return `${labels.slice(0, -1).join(', ')} or ${labels.at(-1)}`;
}

/** An `accept` attribute for a file input: the extensions and MIME types. */
export function acceptAttribute(): string {
  return [...dataFileExtensions(), ...DATA_FORMATS.flatMap((f) => f.mimeTypes ?? [])].join(',');
}
