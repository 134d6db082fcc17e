/**
 * A Python that imports PyTorch and NumPy, for the tests of the PyTorch recipe. The `python3` first
 * on PATH is not always the one with torch (this project's machines: /usr/bin/python3 has it, a
 * pyenv python3 does not), so candidates are tried in order: $TICKWORK_PYTHON, python3,
 * /usr/bin/python3, python. Null (and the reason) when none imports torch.
 */
import { spawnSync } from 'node:child_process';

export interface TorchPython {
  path: string | null;
  /** Why none was found (printed by the tests that skip). */
  reason: string;
}

let found: TorchPython | null = null;

export function torchPython(): TorchPython {
  if (found) return found;
  const candidates = [process.env.TICKWORK_PYTHON, 'python3', '/usr/bin/python3', 'python'].filter((c): c is string => !!c);
  for (const candidate of candidates) {
    const r = spawnSync(candidate, ['-c', 'import torch, numpy'], { encoding: 'utf8', timeout: 60_000 });
    if (r.status === 0) return (found = { path: candidate, reason: '' });
  }
  return (found = { path: null, reason: `no Python that imports torch and numpy (tried ${candidates.join(', ')}); install python3-torch python3-numpy` });
}
