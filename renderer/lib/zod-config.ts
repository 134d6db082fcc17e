/**
 * Imported first by main.ts. Zod 4 compiles object parsers with `new Function` when it may, and
 * finds out by trying `Function('')`; under the renderer's CSP (no 'unsafe-eval') that try is
 * refused and reported as a violation each time. Jitless mode parses the same way without eval.
 */
import { z } from 'zod';

z.config({ jitless: true });
