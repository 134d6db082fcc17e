/**
 * Seeded pseudo-random numbers (mulberry32). Every random choice Tickwork makes — shuffles,
 * splits, toy datasets, weight-init seeds — comes from here, so a run is reproducible from its
 * seed. A seed of 0 is a real seed (tfjs treats 0 as "unseeded"; see `tfSeed`).
 */
export type Rng = () => number;

export function createRng(seed: number): Rng {
  let a = (seed >>> 0) ^ 0x9e3779b9;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal via Box–Muller. */
export function normal(rng: Rng): number {
  let u = 0;
  while (u === 0) u = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

/** In-place Fisher–Yates shuffle. */
export function shuffleInPlace<T extends { length: number; [i: number]: unknown }>(array: T, rng: Rng): T {
  for (let i = array.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const tmp = array[i];
    array[i] = array[j];
    array[j] = tmp;
  }
  return array;
}

/**
 * A tfjs initializer seed derived from the run seed and a salt (e.g. the layer index).
 * Never 0, because tfjs treats a seed of 0 as "no seed".
 */
export function tfSeed(seed: number, salt: number): number {
  const rng = createRng((seed * 2654435761 + salt * 40503) >>> 0);
  return 1 + Math.floor(rng() * 2147483646);
}
