/**
 * The application menu: File → Open dataset…, Open Recent, Export model…, Quit; Go → the steps, Back, Forward.
 */
import { Menu } from 'electron';
import { menuTemplate, type MenuOptions } from './menu-template.js';

export function buildMenu(options: MenuOptions): Menu {
  return Menu.buildFromTemplate(menuTemplate(options, process.platform === 'darwin'));
}
