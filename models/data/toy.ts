/**
 * Seeded toy datasets in the spirit of TensorFlow Playground: two moons, circles, XOR and
 * spirals (two numeric features x1, x2 and a binary label), and a wave to fit by regression
 * (one input x, a value y). The same seed gives the same points on every machine.
 */
import { createRng, normal, type Rng } from '../random.js';
import { tableFromRows, type Table } from './table.js';

export type ToyName = 'moons' | 'circles' | 'xor' | 'spirals';

type Point = [number, number, number];

function moons(n: number, rng: Rng, noise: number): Point[] {
  const points: Point[] = [];
  for (let i = 0; i < n; i++) {
    const label = i % 2;
    const t = Math.PI * rng();
    const x = label === 0 ? Math.cos(t) : 1 - Math.cos(t);
    const y = label === 0 ? Math.sin(t) : 0.5 - Math.sin(t);
    points.push([x + noise * normal(rng), y + noise * normal(rng), label]);
  }
  return points;
}

function circles(n: number, rng: Rng, noise: number): Point[] {
  const points: Point[] = [];
  for (let i = 0; i < n; i++) {
    const label = i % 2;
    const radius = label === 0 ? 1 : 0.5;
    const t = 2 * Math.PI * rng();
    points.push([radius * Math.cos(t) + noise * normal(rng), radius * Math.sin(t) + noise * normal(rng), label]);
  }
  return points;
}

function xor(n: number, rng: Rng, noise: number): Point[] {
  const points: Point[] = [];
  for (let i = 0; i < n; i++) {
    const x = 2 * rng() - 1;
    const y = 2 * rng() - 1;
    points.push([x + noise * normal(rng), y + noise * normal(rng), x * y >= 0 ? 0 : 1]);
  }
  return points;
}

/** Two interleaved Archimedean spirals (Playground's "spiral"). */
function spirals(n: number, rng: Rng, noise: number): Point[] {
  const points: Point[] = [];
  const half = Math.floor(n / 2);
  for (let label = 0; label < 2; label++) {
    const offset = label * Math.PI;
    for (let i = 0; i < (label === 0 ? half : n - half); i++) {
      const r = (i / half) * 5;
      const t = (1.75 * i / half) * 2 * Math.PI + offset;
      points.push([r * Math.sin(t) + noise * normal(rng), r * Math.cos(t) + noise * normal(rng), label]);
    }
  }
  return points;
}

const GENERATORS: Record<ToyName, (n: number, rng: Rng, noise: number) => Point[]> = { moons, circles, xor, spirals };
const NOISE: Record<ToyName, number> = { moons: 0.1, circles: 0.08, xor: 0.05, spirals: 0.15 };

export function generateToy(name: ToyName, options: { rows?: number; seed?: number } = {}): Table {
  const rows = options.rows ?? 500;
  const rng = createRng(options.seed ?? 7);
  const points = GENERATORS[name](rows, rng, NOISE[name]);
  const fmt = (v: number) => v.toFixed(5);
  return tableFromRows(
    { name, source: `bundled:${name}`, delimiter: '' },
    ['x1', 'x2', 'label'],
    points.map(([x, y, l]) => [fmt(x), fmt(y), String(l)]),
  );
}

/**
 * A regression toy with one input: y = sin(2x) + 0.3·x + noise for x uniform on [-3, 3]. A
 * straight line cannot follow it; a small tanh or ReLU network can, which the response curve shows.
 */
export function generateWave(options: { rows?: number; seed?: number } = {}): Table {
  const rows = options.rows ?? 500;
  const rng = createRng(options.seed ?? 7);
  const out: string[][] = [];
  for (let i = 0; i < rows; i++) {
    const x = -3 + 6 * rng();
    out.push([x.toFixed(5), (Math.sin(2 * x) + 0.3 * x + 0.1 * normal(rng)).toFixed(5)]);
  }
  return tableFromRows({ name: 'wave', source: 'bundled:wave', delimiter: '' }, ['x', 'y'], out);
}
