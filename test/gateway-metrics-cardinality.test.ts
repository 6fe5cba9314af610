// /metrics stays bounded whatever clients ask for: a resource read through a URI template is
// counted under the template, not under each URI a client names (a client reading a million files
// through `file:///{path}` made a million series, each with its histogram).
import { modernStdioFixtureEntry } from '@switchboard/testing/fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type GatewayHarness } from './helpers/gateway-setup.js';

let harness: GatewayHarness;
beforeAll(async () => {
  harness = await startGateway([modernStdioFixtureEntry('notes')]);
});
afterAll(async () => {
  await harness.close();
});

async function requestSeries(method: string): Promise<string[]> {
  const metrics = await (await fetch(harness.http.url.replace(/\/mcp$/, '/metrics'))).text();
  return metrics.split('\n').filter((line) => line.startsWith('switchboard_gateway_requests_total{') && line.includes(`method="${method}"`));
}

describe('request metrics', () => {
  it('count template reads under the template, and listed resources under their URI', async () => {
    const client = await harness.connect();
    for (let i = 0; i < 60; i++) {
      const read = await client.readResource({ uri: `fixture://notes/notes/${i}` });
      expect(read.contents[0]).toMatchObject({ text: `note ${i} of notes` });
    }
    await client.readResource({ uri: 'fixture://notes/readme' });
    const series = await requestSeries('resources/read');
    expect(series).toHaveLength(2);
    expect(series).toContainEqual(expect.stringMatching(/tool="fixture:\/\/notes\/notes\/\{id\}".* 60$/));
    expect(series).toContainEqual(expect.stringMatching(/tool="fixture:\/\/notes\/readme".* 1$/));
    await client.close();
  });
});
