// Copies non-TypeScript assets (templates) next to the compiled apps in dist/.
const { cpSync, existsSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
for (const [from, to] of [['apps/storefront/views', 'dist/apps/storefront/views']]) {
  if (existsSync(join(root, from))) cpSync(join(root, from), join(root, to), { recursive: true });
}
