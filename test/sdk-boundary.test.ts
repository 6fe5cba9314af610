// The MCP SDK stays behind a boundary, so that moving SDKs (v1 to v2) or adding a protocol era
// changes a few modules and no plugin contract: package code imports an SDK package only from its
// `src/sdk/` folder; transport plugins (the wire edge) and @switchboard/testing (whose fixture
// servers are SDK servers on purpose) may import it directly. A package declares the SDK only if its
// code imports it.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const SDK_IMPORT = /from\s+'(@modelcontextprotocol\/[^']+)'|import\(\s*'(@modelcontextprotocol\/[^']+)'\s*\)/g;

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sources(path));
    else if (name.endsWith('.ts')) out.push(path);
  }
  return out;
}

const packages = ['packages', 'plugins', 'examples'].flatMap((group) => readdirSync(join(root, group)).map((name) => join(root, group, name)));

const mayImportAnywhere = (pkg: string): boolean => /[/\\]plugins[/\\]transport-[^/\\]+$/.test(pkg) || /[/\\]packages[/\\]testing$/.test(pkg);

describe('the SDK boundary', () => {
  it('no module outside src/sdk/ imports an MCP SDK package (transports and the testing kit excepted)', () => {
    const offenders: string[] = [];
    for (const pkg of packages) {
      let files: string[];
      try {
        files = sources(join(pkg, 'src'));
      } catch {
        continue;
      }
      if (mayImportAnywhere(pkg)) continue;
      for (const file of files) {
        const rel = relative(join(pkg, 'src'), file);
        if (rel.startsWith('sdk/') || rel.startsWith('sdk\\')) continue;
        const text = readFileSync(file, 'utf8');
        for (const m of text.matchAll(SDK_IMPORT)) offenders.push(`${relative(root, file)} imports ${m[1] ?? m[2]}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('a package declares an SDK package only when its code imports it', () => {
    const unused: string[] = [];
    for (const pkg of packages) {
      let manifest: { dependencies?: Record<string, string>; peerDependencies?: Record<string, string> };
      try {
        manifest = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')) as typeof manifest;
      } catch {
        continue;
      }
      const declared = Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies }).filter((d) => d.startsWith('@modelcontextprotocol/') && !d.startsWith('@modelcontextprotocol/server-'));
      if (declared.length === 0) continue;
      const text = sources(join(pkg, 'src'))
        .map((f) => readFileSync(f, 'utf8'))
        .join('\n');
      for (const dep of declared) if (!text.includes(`'${dep}`)) unused.push(`${relative(root, pkg)} declares ${dep}`);
    }
    expect(unused).toEqual([]);
  });
});
