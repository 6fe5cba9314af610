// Every command a package installs exists in a fresh checkout, before any build: pnpm links bins at
// install time and skips (with only a warning) a bin whose file is not there yet, which is how
// `pnpm exec switchboard` went missing after the README's install.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const tracked = new Set(execFileSync('git', ['ls-files'], { cwd: root, encoding: 'utf8' }).split('\n'));

describe('package bins', () => {
  it('point at files tracked in git (not build output), each with a node shebang and in the published files', () => {
    const bins: string[] = [];
    for (const dir of ['packages', 'plugins', 'examples']) {
      for (const name of readdirSync(join(root, dir))) {
        const manifestPath = join(dir, name, 'package.json');
        if (!tracked.has(manifestPath)) continue;
        const manifest = JSON.parse(readFileSync(join(root, manifestPath), 'utf8')) as { bin?: Record<string, string>; files?: string[] };
        for (const [command, target] of Object.entries(manifest.bin ?? {})) {
          const file = join(dir, name, target);
          bins.push(command);
          expect(tracked.has(file), `${command} → ${file} is not in git`).toBe(true);
          expect(readFileSync(join(root, file), 'utf8').startsWith('#!/usr/bin/env node\n'), `${file} has no node shebang`).toBe(true);
          expect(manifest.files?.some((f) => target.replace(/^\.\//, '').startsWith(f)), `${file} is not in ${manifestPath} files`).toBe(true);
        }
      }
    }
    expect(bins.sort()).toEqual(['switchboard', 'switchboard-fixture']);
  });
});
