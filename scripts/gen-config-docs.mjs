// Writes docs/switchboard.schema.json and docs/config-reference.md from the zod schemas of core and
// the first-party plugins. Run after `pnpm build`:  node scripts/gen-config-docs.mjs [--check]
// --check writes nothing and exits 1 when a committed file is stale (for CI).
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

async function loadGenerator() {
  // Prefer the package's public export; until @switchboard/cli re-exports the generator, use its build.
  const cli = await import('@switchboard/cli').catch(() => ({}));
  if (typeof cli.generateConfigDocs === 'function') return cli.generateConfigDocs;
  const built = await import(new URL('../packages/cli/dist/config-docs/index.js', import.meta.url).href).catch((error) => {
    console.error(`cannot load the built generator (${error.message}); run pnpm build first`);
    process.exit(1);
  });
  return built.generateConfigDocs;
}

const generateConfigDocs = await loadGenerator();
const { files, undocumented } = generateConfigDocs();
if (undocumented.length > 0) {
  console.warn(`keys without a description (add them to packages/cli/src/config-docs/descriptions.ts): ${undocumented.join(', ')}`);
}

const check = process.argv.includes('--check');
let stale = 0;
for (const [path, text] of Object.entries(files)) {
  const file = join(root, path);
  let current = '';
  try {
    current = readFileSync(file, 'utf8');
  } catch {
    // a missing file is stale
  }
  if (current === text) {
    console.log(`${path}: up to date`);
  } else if (check) {
    stale++;
    console.error(`${path}: stale`);
  } else {
    writeFileSync(file, text);
    console.log(`${path}: written`);
  }
}
if (stale > 0) {
  console.error('run: pnpm build && node scripts/gen-config-docs.mjs');
  process.exit(1);
}
