/**
 * The application menu: File → Open dataset…, Open Recent, Export model…, Quit.
 */
import { Menu, type BrowserWindow, type MenuItemConstructorOptions } from 'electron';
import { basename } from 'node:path';
import type { MenuAction } from '../shared/shell.js';

export function buildMenu(options: {
  recentFiles: string[];
  openDataset: () => void;
  send: (action: MenuAction) => void;
  window: () => BrowserWindow | null;
}): Menu {
  const isMac = process.platform === 'darwin';
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
        { type: 'separator' },
        { label: 'Export model…', accelerator: 'CmdOrCtrl+E', click: () => options.send({ type: 'export-model' }) },
        { type: 'separator' },
        isMac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    { role: 'viewMenu' },
    { role: 'windowMenu' },
  ];
  return Menu.buildFromTemplate(template);
}
