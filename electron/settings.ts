/**
 * Small persisted settings for the desktop app: window bounds and recent files, as JSON in the
 * user-data folder. A damaged file is ignored (defaults), never fatal.
 */
import { readFileSync, writeFileSync, renameSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface Settings {
  window: { width: number; height: number; x?: number; y?: number; maximized: boolean };
  recentFiles: string[];
  /** The workspace folder chosen with File → Open workspace… (null: the userData folder). */
  workspace: string | null;
}

/** A display's usable area (Electron's Rectangle). */
export interface Area {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * Where to open the window from the saved bounds: the saved size, no larger than the biggest
 * display, and the saved position only if the window's top strip (where it is dragged from)
 * would still be on a display — a monitor unplugged since must not leave it off-screen. Without
 * a position Electron centres the window.
 */
export function placeWindow(saved: Settings['window'], displays: Area[]): { width: number; height: number; x?: number; y?: number } {
  const widest = Math.max(0, ...displays.map((d) => d.width));
  const tallest = Math.max(0, ...displays.map((d) => d.height));
  const width = widest > 0 ? Math.min(saved.width, widest) : saved.width;
  const height = tallest > 0 ? Math.min(saved.height, tallest) : saved.height;
  if (saved.x === undefined || saved.y === undefined) return { width, height };
  const { x, y } = saved;
  // The top 40 px of the window, at least 100 px of it on one display.
  const reachable = displays.some((d) => {
    const overlap = Math.min(x + width, d.x + d.width) - Math.max(x, d.x);
    return overlap >= Math.min(100, width) && y >= d.y && y + 40 <= d.y + d.height;
  });
  return reachable ? { width, height, x, y } : { width, height };
}

const DEFAULTS: Settings = { window: { width: 1440, height: 920, maximized: false }, recentFiles: [], workspace: null };
const MAX_RECENT = 10;

export class SettingsStore {
  private data: Settings;
  private readonly file: string;

  constructor(userDataDir: string) {
    this.file = join(userDataDir, 'settings.json');
    this.data = structuredClone(DEFAULTS);
    try {
      const parsed = JSON.parse(readFileSync(this.file, 'utf8')) as Partial<Settings>;
      if (parsed.window && typeof parsed.window.width === 'number' && typeof parsed.window.height === 'number') {
        this.data.window = { ...DEFAULTS.window, ...parsed.window };
      }
      if (Array.isArray(parsed.recentFiles)) this.data.recentFiles = parsed.recentFiles.filter((f) => typeof f === 'string').slice(0, MAX_RECENT);
      if (typeof parsed.workspace === 'string' && parsed.workspace !== '') this.data.workspace = parsed.workspace;
    } catch {
      /* first start, or a damaged file: defaults */
    }
  }

  get(): Readonly<Settings> {
    return this.data;
  }

  setWindow(bounds: Settings['window']): void {
    this.data.window = bounds;
    this.save();
  }

  setWorkspace(dir: string | null): void {
    this.data.workspace = dir;
    this.save();
  }

  addRecent(path: string): void {
    this.data.recentFiles = [path, ...this.data.recentFiles.filter((p) => p !== path)].slice(0, MAX_RECENT);
    this.save();
  }

  private save(): void {
    try {
      mkdirSync(dirname(this.file), { recursive: true });
      const tmp = `${this.file}.tmp`;
      writeFileSync(tmp, JSON.stringify(this.data, null, 2));
      renameSync(tmp, this.file);
    } catch (err) {
      console.error('tickwork: cannot save settings:', err);
    }
  }
}
