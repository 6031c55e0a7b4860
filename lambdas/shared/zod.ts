/**
 * zod for handler code: zod/mini (functions instead of methods, so a bundle carries only the
 * parts its schemas use: about 25 KB instead of classic zod's 95 KB) with the English messages,
 * which zod/mini leaves out unless configured. Handler-side schemas import zod from here.
 */
import { en } from 'zod/locales';
import * as z from 'zod/mini';

z.config(en());

export * from 'zod/mini';
