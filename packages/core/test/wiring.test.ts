import { describe, expect, it } from 'vitest';
import { createRouter, definePlugin, Tokens, type Discoverer, type Logger, type Strategy } from '../src/index.js';
import { z } from 'zod';

// Plugins as objects (no servers needed): what is under test is how core builds and binds them.
class FakeDiscoverer implements Discoverer {
  constructor(
    readonly id: string,
    readonly options: { label: string },
    readonly logger: Logger,
    readonly clock: () => number,
  ) {}
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  async reconfigure(options: unknown): Promise<void> {
    reconfigured.push(`${this.id}:${(options as { label: string }).label}`);
  }
}
const reconfigured: string[] = [];
const built: FakeDiscoverer[] = [];

const fake = definePlugin({
  name: 'discovery-fake',
  kind: 'discovery',
  type: 'fake',
  core: '^0.1.0',
  optionsSchema: z.strictObject({ label: z.string(), provide: z.boolean().default(true) }),
  register(ctx, options) {
    if (!options.provide) return;
    // Built by the container from what this entry's container holds.
    ctx.provideFactory((c) => {
      const d = new FakeDiscoverer(c.resolve<string>(Tokens.InstanceId), c.resolve<{ label: string }>(Tokens.Options), c.resolve<Logger>(Tokens.Logger), c.resolve<() => number>(Tokens.Clock));
      built.push(d);
      return d;
    });
  },
});

const first: Strategy = { name: 'first', select: (c) => c[0] };
const twice = definePlugin({
  name: 'strategy-twice',
  kind: 'strategy',
  type: 'twice',
  core: '^0.1.0',
  optionsSchema: z.strictObject({}),
  register(ctx) {
    ctx.provide(first);
    ctx.provide({ name: 'second', select: (c) => c.at(-1) });
  },
});
const firstMatch = definePlugin({ name: 'strategy-first', kind: 'strategy', type: 'first-match', core: '^0.1.0', optionsSchema: z.strictObject({}), register: (ctx) => ctx.provide(first) });

describe('wiring', () => {
  it('builds each entry\'s implementation in its own container, with that entry\'s options and id', async () => {
    built.length = 0;
    const router = createRouter({ discovery: [{ type: 'fake', label: 'a' }, { type: 'fake', label: 'b' }], health: false, logLevel: 'silent' }, { plugins: [fake, firstMatch] });
    await router.initialize();
    expect(built.map((d) => [d.id, d.options.label])).toEqual([
      ['fake#0', 'a'],
      ['fake#1', 'b'],
    ]);
    expect(typeof built[0]!.clock()).toBe('number');
    await router.close();
  });

  it('refuses a discovery entry whose plugin provides no Discoverer, naming the entry (its place would shift every later one)', async () => {
    const router = createRouter({ discovery: [{ type: 'fake', label: 'a', provide: false }, { type: 'fake', label: 'b' }], health: false, logLevel: 'silent' }, { plugins: [fake, firstMatch] });
    await expect(router.initialize()).rejects.toMatchObject({ code: 'PLUGIN_ERROR', message: expect.stringContaining('discovery[0]') });
  });

  it('reload reconfigures the discoverer of the entry that changed', async () => {
    reconfigured.length = 0;
    const config = (b: string) => ({ discovery: [{ type: 'fake', label: 'a' }, { type: 'fake', label: b }], health: false, logLevel: 'silent' });
    const router = createRouter(config('b'), { plugins: [fake, firstMatch] });
    await router.initialize();
    expect(await router.reload(config('b2'))).toMatchObject({ applied: ['discovery[1]'] });
    expect(reconfigured).toEqual(['fake#1:b2']);
    await router.close();
  });

  it('refuses a strategy plugin that provides two strategies instead of taking the last one', async () => {
    const router = createRouter({ strategy: { type: 'twice' }, health: false, logLevel: 'silent' }, { plugins: [twice] });
    await expect(router.initialize()).rejects.toMatchObject({ code: 'PLUGIN_ERROR', message: expect.stringMatching(/exactly one Strategy; it provided 2/) });
  });
});
