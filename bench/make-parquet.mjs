#!/usr/bin/env node
/**
 * Writes a Parquet copy of a CSV for the data benchmark, with DuckDB (the engine Tickwork reads
 * with): same columns, types as DuckDB reads them (numbers DOUBLE), snappy compression.
 * Usage: node bench/make-parquet.mjs <in.csv> <out.parquet>
 */
import { DuckDBInstance } from '@duckdb/node-api';

const [input, output] = process.argv.slice(2);
if (!input || !output || input.startsWith('-') || output.startsWith('-')) {
  console.error('usage: node bench/make-parquet.mjs <in.csv> <out.parquet>');
  process.exit(2);
}
const q = (s) => `'${s.replace(/'/g, "''")}'`;
const instance = await DuckDBInstance.create(':memory:');
const connection = await instance.connect();
await connection.run(
  `COPY (SELECT * FROM read_csv(${q(input)}, header = true, nullstr = ['NA', ''], auto_type_candidates = ['DOUBLE', 'VARCHAR'])) ` +
    `TO ${q(output)} (FORMAT parquet, COMPRESSION snappy)`,
);
connection.closeSync();
instance.closeSync();
