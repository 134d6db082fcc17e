#!/usr/bin/env node
/**
 * Writes a synthetic 1,000,000-row × 20-column CSV for the data benchmark:
 * 14 float columns (some with NA), 3 integer columns, 2 categorical columns, a binary target.
 * Usage: node bench/make-large-csv.mjs <out.csv> [rows]
 */
import { createWriteStream } from 'node:fs';

const out = process.argv[2];
const rows = Number(process.argv[3] ?? 1_000_000);
// A flag such as --help is not a file name (it would get a 136 MB CSV named "--help").
if (!out || out.startsWith('-')) {
  console.error('usage: node bench/make-large-csv.mjs <out.csv> [rows]');
  process.exit(2);
}
// mulberry32: a small seeded generator, so the file is the same on every machine.
let seed = 12345;
const rand = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const stream = createWriteStream(out);
const header = [];
for (let i = 0; i < 14; i++) header.push(`x${i}`);
header.push('count_a', 'count_b', 'count_c', 'region', 'segment', 'label');
stream.write(header.join(',') + '\n');
const regions = ['north', 'south', 'east', 'west', 'central'];
const segments = ['retail', 'wholesale', 'online', 'partner'];
let buf = '';
for (let r = 0; r < rows; r++) {
  const cells = [];
  let s = 0;
  for (let i = 0; i < 14; i++) {
    const v = (rand() - 0.5) * 200;
    s += i < 3 ? v : 0;
    cells.push(i === 5 && rand() < 0.02 ? 'NA' : v.toFixed(4));
  }
  cells.push(String(Math.floor(rand() * 100)), String(Math.floor(rand() * 10)), String(Math.floor(rand() * 1000)));
  cells.push(regions[Math.floor(rand() * regions.length)], segments[Math.floor(rand() * segments.length)]);
  cells.push(s > 0 ? '1' : '0');
  buf += cells.join(',') + '\n';
  if (buf.length > 1 << 20) {
    if (!stream.write(buf)) await new Promise((resolve) => stream.once('drain', resolve));
    buf = '';
  }
}
stream.write(buf);
stream.end();
await new Promise((resolve) => stream.on('finish', resolve));
