/**
 * The desktop app's remembered settings (window bounds, recent files), where a saved window is
 * placed, and the File menu — the parts of electron/ that run without Electron.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { placeWindow, SettingsStore } from '../../electron/settings';
import { menuTemplate } from '../../electron/menu-template';
import type { MenuAction } from '../../shared/shell';

describe('desktop settings', () => {
  it('remembers the window and up to 10 recent files across restarts, most recent first, without repeats', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tickwork-settings-'));
    const first = new SettingsStore(dir);
    expect(first.get().window).toEqual({ width: 1440, height: 920, maximized: false });
    first.setWindow({ width: 1200, height: 800, x: 40, y: 30, maximized: true });
    for (let i = 0; i < 12; i++) first.addRecent(`/data/f${i}.csv`);
    first.addRecent('/data/f5.csv');
    const again = new SettingsStore(dir);
    expect(again.get().window).toEqual({ width: 1200, height: 800, x: 40, y: 30, maximized: true });
    expect(again.get().recentFiles).toEqual(['/data/f5.csv', '/data/f11.csv', '/data/f10.csv', '/data/f9.csv', '/data/f8.csv', '/data/f7.csv', '/data/f6.csv', '/data/f4.csv', '/data/f3.csv', '/data/f2.csv']);
  });

  it('a damaged settings file means defaults, not a crash, and is replaced on the next save', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tickwork-settings-'));
    await writeFile(join(dir, 'settings.json'), '{"window": {"width": "wide"}, "recentFiles": [3, "/ok.csv"');
    const store = new SettingsStore(dir);
    expect(store.get()).toEqual({ window: { width: 1440, height: 920, maximized: false }, recentFiles: [], workspace: null });
    store.setWorkspace('/work/space');
    expect(new SettingsStore(dir).get().workspace).toBe('/work/space');
    store.addRecent('/x.csv');
    expect(JSON.parse(await readFile(join(dir, 'settings.json'), 'utf8')).recentFiles).toEqual(['/x.csv']);
  });

  it('opens a saved window where it was, unless that place is off every display now', () => {
    const laptop = { x: 0, y: 0, width: 1440, height: 900 };
    const monitor = { x: 1440, y: 0, width: 2560, height: 1440 };
    const saved = { width: 1600, height: 1000, x: 1600, y: 100, maximized: false };
    // On the second monitor: kept.
    expect(placeWindow(saved, [laptop, monitor])).toEqual({ width: 1600, height: 1000, x: 1600, y: 100 });
    // The monitor is gone: no position (Electron centres it), and no larger than the laptop.
    expect(placeWindow(saved, [laptop])).toEqual({ width: 1440, height: 900 });
    // Title bar above the top of the screen: not reachable.
    expect(placeWindow({ ...saved, x: 100, y: -200 }, [laptop, monitor])).toEqual({ width: 1600, height: 1000 });
    // First start: no position saved.
    expect(placeWindow({ width: 1440, height: 920, maximized: false }, [laptop])).toEqual({ width: 1440, height: 900 });
  });
});

describe('File menu', () => {
  it('opens, lists recent files by name and sends their paths, and exports', () => {
    const sent: MenuAction[] = [];
    let opened = 0;
    let workspaces = 0;
    const template = menuTemplate({ recentFiles: ['/data/churn.csv', '/data/q3.parquet'], openDataset: () => opened++, openWorkspace: () => workspaces++, send: (a) => sent.push(a) }, false);
    const file = template.find((m) => m.label === 'File')!;
    const items = file.submenu as Array<{ label?: string; accelerator?: string; click?: () => void; submenu?: unknown; role?: string }>;
    expect(items.filter((i) => i.label).map((i) => `${i.label}${i.accelerator ? ` ${i.accelerator}` : ''}`)).toEqual(['Open dataset… CmdOrCtrl+O', 'Open Recent', 'Open workspace…', 'Export model… CmdOrCtrl+E']);
    items.find((i) => i.label === 'Open workspace…')!.click!();
    expect(workspaces).toBe(1);
    expect(items.at(-1)?.role).toBe('quit');
    items[0].click!();
    expect(opened).toBe(1);
    const recent = items[1].submenu as Array<{ label: string; sublabel: string; click: () => void }>;
    expect(recent.map((r) => r.label)).toEqual(['churn.csv', 'q3.parquet']);
    recent[1].click();
    items.find((i) => i.label === 'Export model…')!.click!();
    expect(sent).toEqual([{ type: 'open-dataset', path: '/data/q3.parquet' }, { type: 'export-model' }]);
    // No recent files yet: one disabled entry. On macOS the app menu comes first and File ends with Close.
    const mac = menuTemplate({ recentFiles: [], openDataset: () => undefined, openWorkspace: () => undefined, send: () => undefined }, true);
    expect(mac[0].role).toBe('appMenu');
    const macFile = mac.find((m) => m.label === 'File')!.submenu as Array<{ label?: string; enabled?: boolean; submenu?: unknown; role?: string }>;
    expect(macFile[1].submenu).toEqual([{ label: 'No recent files', enabled: false }]);
    expect(macFile.at(-1)?.role).toBe('close');
  });
});

describe('Go menu', () => {
  const items = (isMac: boolean) => {
    const sent: MenuAction[] = [];
    const template = menuTemplate({ recentFiles: [], openDataset: () => undefined, openWorkspace: () => undefined, send: (a) => sent.push(a) }, isMac);
    const go = template.find((m) => m.label === 'Go')!;
    return { sent, template, go: go.submenu as Array<{ label?: string; accelerator?: string; click?: () => void; type?: string }> };
  };

  it('has one item per step with CmdOrCtrl+1…6, then Back and Forward, each sending its navigation action', () => {
    const { sent, go } = items(false);
    expect(go.filter((i) => i.label).map((i) => `${i.label} ${i.accelerator}`)).toEqual([
      'Data CmdOrCtrl+1',
      'Model CmdOrCtrl+2',
      'Training CmdOrCtrl+3',
      'Live CmdOrCtrl+4',
      'Compare CmdOrCtrl+5',
      'Predict & export CmdOrCtrl+6',
      'Back Alt+Left',
      'Forward Alt+Right',
    ]);
    expect(go[6].type).toBe('separator');
    for (const item of go) item.click?.();
    expect(sent).toEqual([
      { type: 'go-step', step: 'data' },
      { type: 'go-step', step: 'model' },
      { type: 'go-step', step: 'training' },
      { type: 'go-step', step: 'live' },
      { type: 'go-step', step: 'compare' },
      { type: 'go-step', step: 'predict' },
      { type: 'go-back' },
      { type: 'go-forward' },
    ]);
  });

  it("uses macOS's history keys there, and sits between View and Window", () => {
    const { go, template } = items(true);
    expect(go.filter((i) => i.label === 'Back' || i.label === 'Forward').map((i) => i.accelerator)).toEqual(['Cmd+[', 'Cmd+]']);
    const names = template.map((m) => m.label ?? m.role);
    expect(names.slice(names.indexOf('viewMenu'), names.indexOf('viewMenu') + 3)).toEqual(['viewMenu', 'Go', 'windowMenu']);
  });
});
