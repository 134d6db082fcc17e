/**
 * scikit-learn as the reference for metric tests. Looks for a Python that imports sklearn
 * (TICKWORK_PYTHON alone when set, else Debian's /usr/bin/python3, then python3 on PATH); tests that need it use
 * `describe.skipIf(!sklearnPython)` so that they show as skipped — never as passed — without it.
 */
import { spawnSync } from 'node:child_process';

function findPython(): string | null {
  const candidates = process.env.TICKWORK_PYTHON ? [process.env.TICKWORK_PYTHON] : ['/usr/bin/python3', 'python3'];
  for (const python of candidates) {
    const r = spawnSync(python, ['-c', 'import sklearn, numpy'], { encoding: 'utf8', timeout: 30_000 });
    if (r.status === 0) return python;
  }
  return null;
}

export const sklearnPython: string | null = findPython();

/** Where the sklearn tests say why they were skipped. */
export const SKLEARN_MISSING = 'skipped: no Python with scikit-learn (apt-get install -y python3-sklearn)';

/**
 * Runs `script` with the JSON `input` on stdin as `data` (numpy and json imported), and returns the
 * JSON the script prints as its last line.
 */
export function runPython<T = unknown>(script: string, input: unknown): T {
  if (!sklearnPython) throw new Error(SKLEARN_MISSING);
  const program = `import sys, json\nimport numpy as np\ndata = json.load(sys.stdin)\n${script}`;
  const r = spawnSync(sklearnPython, ['-c', program], { input: JSON.stringify(input), encoding: 'utf8', timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`python failed (${r.status}): ${r.stderr}`);
  const lines = r.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]) as T;
}
