import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/**
 * Where `npm run build` puts the browser script (tsconfig.assets.json): next to the compiled
 * app's src/, as dist/apps/storefront/assets.
 */
export const ASSETS_DIR = join(__dirname, '..', '..', 'assets');

/** The live badge script's entry module, relative to the assets folder. */
export const LIVE_SCRIPT_ENTRY = 'storefront/src/live/live-stock.browser.js';

export interface Asset {
  body: Buffer;
  contentType: string;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(path) : [path];
  });
}

/**
 * The compiled browser modules, read once at start and served from memory under
 * `/assets/<version>/<path>`, where the version is a hash of all of them: a build that changes
 * any module changes every URL, so each URL can be cached for a year, and the modules' relative
 * imports stay within one version.
 */
export class LiveAssets {
  constructor(
    readonly version: string,
    private readonly files: ReadonlyMap<string, Asset>,
  ) {}

  /** Throws when the folder or the entry module is missing (the build did not run). */
  static load(dir: string): LiveAssets {
    if (!existsSync(join(dir, LIVE_SCRIPT_ENTRY))) {
      throw new Error(
        `${join(dir, LIVE_SCRIPT_ENTRY)} is missing: build the browser script with npm run build`,
      );
    }
    const files = new Map<string, Asset>();
    const hash = createHash('sha256');
    for (const path of filesUnder(dir).sort()) {
      if (!path.endsWith('.js')) continue;
      const name = relative(dir, path).split(sep).join('/');
      const body = readFileSync(path);
      hash.update(name).update('\0').update(body).update('\0');
      files.set(name, { body, contentType: 'text/javascript; charset=utf-8' });
    }
    return new LiveAssets(hash.digest('hex').slice(0, 16), files);
  }

  /** The URL of the live badge script, for `<script type="module">`. */
  get liveScriptUrl(): string {
    return `/assets/${this.version}/${LIVE_SCRIPT_ENTRY}`;
  }

  /** The module at `path` (e.g. `storefront/src/live/live-badge.js`), if there is one. */
  get(path: string): Asset | undefined {
    return this.files.get(path);
  }
}
