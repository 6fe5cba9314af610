// One-off scaffold used to create package skeletons consistently. Kept for adding new plugins.
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const [dir, name, description, depsJson = '{}', refsJson = '[]', extra = '{}'] = process.argv.slice(2);
const deps = JSON.parse(depsJson);
const refs = JSON.parse(refsJson);
const more = JSON.parse(extra);
const isPlugin = dir.startsWith('plugins/');
mkdirSync(join(dir, 'src'), { recursive: true });
mkdirSync(join(dir, 'test'), { recursive: true });
const pkg = {
  name,
  version: '0.1.0',
  description,
  license: 'MIT',
  type: 'module',
  exports: { '.': { '@switchboard/source': './src/index.ts', types: './dist/index.d.ts', default: './dist/index.js' } },
  main: './dist/index.js',
  types: './dist/index.d.ts',
  files: ['dist', 'README.md'],
  engines: { node: '>=20.19' },
  scripts: { build: 'tsc -b' },
  ...(isPlugin
    ? { peerDependencies: { '@switchboard/core': 'workspace:^' }, keywords: ['switchboard-plugin', 'mcp'] }
    : {}),
  dependencies: deps.dependencies ?? {},
  devDependencies: { ...(isPlugin ? { '@switchboard/core': 'workspace:*', '@switchboard/testing': 'workspace:*' } : {}), ...(deps.devDependencies ?? {}) },
  ...more,
};
writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg, null, 2) + '\n');
const tsRefs = [...new Set([...(isPlugin ? ['packages/core'] : []), ...refs])].map((r) => ({ path: '../../' + r }));
writeFileSync(
  join(dir, 'tsconfig.json'),
  JSON.stringify({ extends: '../../tsconfig.base.json', compilerOptions: { outDir: 'dist', rootDir: 'src' }, include: ['src'], references: tsRefs }, null, 2) + '\n',
);
if (!existsSync(join(dir, 'src/index.ts'))) writeFileSync(join(dir, 'src/index.ts'), `// ${name}: ${description}\nexport {};\n`);
