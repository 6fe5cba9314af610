// A fixture MCP server (its `whoami` tool) as a separate process over Streamable HTTP, for the
// benchmarks that kill, stop or fault one replica: resolves once it prints its URL.
import { spawn } from 'node:child_process';
import { FIXTURE_BIN } from '@switchboard/testing/fixtures';

export function launchReplica(name, extraArgs = []) {
  const child = spawn(process.execPath, [FIXTURE_BIN, '--name', name, '--tools', 'whoami', ...extraArgs, '--http', '0'], { stdio: ['ignore', 'pipe', 'ignore'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve({ name, child, url: out.split('\n')[0].trim() });
    });
    child.once('exit', (code) => reject(new Error(`${name} exited ${code}`)));
  });
}
