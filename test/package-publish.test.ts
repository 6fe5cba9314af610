// The packages as a user gets them from npm: packed with `pnpm pack` (which turns catalog: and
// workspace: into versions), installed with npm into an empty project outside the workspace, and
// run there, the CLI's demo and a library script. Needs the npm registry, as any install does.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
let work: string;
let packs: string;
let project: string;
let tarballs: string[];

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'switchboard-publish-'));
  packs = join(work, 'packs');
  project = join(work, 'project');
  await run('pnpm', ['-r', '--filter', './packages/*', '--filter', './plugins/*', 'pack', '--pack-destination', packs], { cwd: root });
  tarballs = readdirSync(packs).filter((f) => f.endsWith('.tgz')).map((f) => join(packs, f));
}, 120_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

async function manifestOf(tarball: string): Promise<Record<string, unknown>> {
  const { stdout } = await run('tar', ['-xzOf', tarball, 'package/package.json']);
  return JSON.parse(stdout) as Record<string, unknown>;
}

describe('published packages', () => {
  it('carry a license, repository, README and real versions, and no source-only export condition', async () => {
    expect(tarballs.length).toBe(18);
    for (const tarball of tarballs) {
      const manifest = await manifestOf(tarball);
      const text = JSON.stringify(manifest);
      expect(text, tarball).not.toMatch(/"(catalog|workspace):/);
      expect(text, tarball).not.toContain('@switchboard/source');
      expect(manifest, tarball).toMatchObject({ license: 'MIT', repository: { type: 'git', url: expect.stringMatching(/^git\+https:/) } });
      const { stdout } = await run('tar', ['-tzf', tarball]);
      const files = stdout.split('\n');
      for (const file of ['package/LICENSE', 'package/README.md', 'package/dist/index.js']) expect(files, `${tarball} lacks ${file}`).toContain(file);
    }
  });

  it('install into an empty npm project, where the demo and a library script run', { timeout: 300_000 }, async () => {
    mkdirSync(project);
    await run('npm', ['init', '-y'], { cwd: project });
    await run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...tarballs], { cwd: project, maxBuffer: 16 * 1024 * 1024 });

    const demo = await run(join(project, 'node_modules', '.bin', 'switchboard'), ['demo'], { cwd: project });
    expect(demo.stdout).toMatch(/Discovered \d+ services/);

    writeFileSync(
      join(project, 'route.mjs'),
      [
        "import { createRouter } from '@switchboard/core';",
        "import { staticDiscoveryPlugin } from '@switchboard/discovery-static';",
        "import { stdioTransportPlugin } from '@switchboard/transport-stdio';",
        "import { roundRobinPlugin } from '@switchboard/strategy-round-robin';",
        "import { stdioFixtureEntry } from '@switchboard/testing/fixtures';",
        "const router = createRouter({ discovery: [{ type: 'static', servers: [stdioFixtureEntry('packed', ['echo'])] }], strategy: { type: 'round-robin' }, health: false, logLevel: 'silent' },",
        '  { plugins: [staticDiscoveryPlugin(), stdioTransportPlugin(), roundRobinPlugin()] });',
        'await router.initialize();',
        "const r = await router.routeRequest({ toolName: 'echo', arguments: { text: 'from npm' } });",
        'console.log(JSON.stringify({ service: r.serviceUsed, text: r.result?.content?.[0]?.text }));',
        'await router.close();',
      ].join('\n'),
    );
    const script = await run(process.execPath, ['route.mjs'], { cwd: project });
    expect(JSON.parse(script.stdout)).toEqual({ service: 'packed', text: 'from npm' });
  });
});
