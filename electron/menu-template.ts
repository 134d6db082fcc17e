/**
 * The application menu as data: File → Open dataset…, Open Recent, Export model…, Quit; Go → one
 * item per step (CmdOrCtrl+1…6), Back and Forward, each sent to the page as a menu action. Only
 * Electron's types are used here, so the menu is unit-tested without Electron (menu.ts builds it).
 */
import type { MenuItemConstructorOptions } from 'electron';
import { basename } from 'node:path';
import type { MenuAction } from '../shared/shell.js';
import { WORKBENCH_STEPS } from '../shared/workbench-steps.js';

export interface MenuOptions {
  recentFiles: string[];
  openDataset: () => void;
  /** File → Open workspace…: pick a workspace folder (the app restarts on it). */
  openWorkspace: () => void;
  send: (action: MenuAction) => void;
}

export function menuTemplate(options: MenuOptions, isMac: boolean): MenuItemConstructorOptions[] {
  const recent: MenuItemConstructorOptions[] =
    options.recentFiles.length > 0
      ? options.recentFiles.map((path) => ({ label: basename(path), sublabel: path, click: () => options.send({ type: 'open-dataset', path }) }))
      : [{ label: 'No recent files', enabled: false }];
  const template: MenuItemConstructorOptions[] = [
    ...(isMac ? [{ role: 'appMenu' as const }] : []),
    {
      label: 'File',
      submenu: [
        { label: 'Open dataset…', accelerator: 'CmdOrCtrl+O', click: options.openDataset },
        { label: 'Open Recent', submenu: recent },
        { label: 'Open workspace…', click: options.openWorkspace },
        { type: 'separator' },
        { label: 'Export model…', accelerator: 'CmdOrCtrl+E', click: () => options.send({ type: 'export-model' }) },
        { type: 'separator' },
        isMac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    { role: 'viewMenu' },
    {
      label: 'Go',
      submenu: [
        ...WORKBENCH_STEPS.map((step, i): MenuItemConstructorOptions => ({
          label: step.label,
          accelerator: `CmdOrCtrl+${i + 1}`,
          click: () => options.send({ type: 'go-step', step: step.id }),
        })),
        { type: 'separator' },
        // The platforms' own keys for history: ⌘[ / ⌘] on macOS, Alt+← / Alt+→ elsewhere.
        { label: 'Back', accelerator: isMac ? 'Cmd+[' : 'Alt+Left', click: () => options.send({ type: 'go-back' }) },
        { label: 'Forward', accelerator: isMac ? 'Cmd+]' : 'Alt+Right', click: () => options.send({ type: 'go-forward' }) },
      ],
    },
    { role: 'windowMenu' },
  ];
  return template;
}
