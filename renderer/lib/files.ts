/** File types the readers accept (shared/formats.ts), for file pickers. */
import { acceptAttribute } from '../../shared/formats.js';

export const DATA_FILES = acceptAttribute();
