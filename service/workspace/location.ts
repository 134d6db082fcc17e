/**
 * Where the workspace lives: `--workspace DIR`, else `$TICKWORK_WORKSPACE`, else the OS's
 * per-user data folder — `$XDG_DATA_HOME/tickwork` or `~/.local/share/tickwork` on Linux,
 * `~/Library/Application Support/Tickwork` on macOS, `%APPDATA%\Tickwork` on Windows. The
 * desktop app passes Electron's `userData` folder instead.
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export interface LocationInput {
  /** --workspace DIR */
  flag?: string;
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  home?: string;
}

/** The OS's per-user data folder for Tickwork. */
export function defaultWorkspaceDir({ env = process.env, platform = process.platform, home = homedir() }: Omit<LocationInput, 'flag'> = {}): string {
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'Tickwork');
  if (platform === 'win32') return join(env.APPDATA || join(home, 'AppData', 'Roaming'), 'Tickwork');
  return join(env.XDG_DATA_HOME || join(home, '.local', 'share'), 'tickwork');
}

/** The workspace folder a command uses. */
export function workspaceDir(input: LocationInput = {}): string {
  const env = input.env ?? process.env;
  if (input.flag) return resolve(input.flag);
  if (env.TICKWORK_WORKSPACE) return resolve(env.TICKWORK_WORKSPACE);
  return defaultWorkspaceDir(input);
}
