/**
 * Whether a process of this machine is running: what the sweeps of stale temp and staging folders
 * and the workspace's "interrupted" check ask of the process id a folder or a run was left by.
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it runs, as another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
