import { join } from 'node:path';

/**
 * The templates folder: apps/storefront/views next to src/ under ts-jest, and
 * dist/apps/storefront/views next to the compiled src/ (scripts/copy-assets.js copies it there).
 */
export const VIEWS_DIR = join(__dirname, '..', 'views');
