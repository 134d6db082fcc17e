/** File types the readers accept (models/data/read.ts), for file pickers. */
export const DATA_FILES = '.csv,.tsv,.txt,.json,.jsonl,.ndjson,.parquet,.xlsx,text/csv';
