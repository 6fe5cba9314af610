import { describe, expect, it } from 'vitest';
import { RequestStateSeal } from '../src/downstream/request-state.js';

// Pure crypto logic; the HTTP round trips are in test/gateway-input-required.test.ts.
const OLD = 'the previous secret, still accepted for a while........';
const NEW = 'the current secret, which seals everything new.........';
const state = { service: 'replica-a', upstream: 'their-state', method: 'tools/call', name: 'confirm' };

describe('sealed requestState', () => {
  it('opens what it sealed, on any instance with the secret, and across a rotation', () => {
    const before = new RequestStateSeal([OLD]);
    const after = new RequestStateSeal([NEW, OLD]);
    expect(after.open(after.seal(state))).toEqual(state);
    expect(after.open(before.seal(state))).toEqual(state); // sealed before the rotation
    expect(() => before.open(after.seal(state))).toThrow(expect.objectContaining({ reason: 'forged' })); // a retired instance cannot open new ones
  });

  it('refuses an expired, foreign, altered or malformed state, saying which', () => {
    const seal = new RequestStateSeal([NEW], 1_000);
    const sealed = seal.seal(state, 0);
    expect(() => seal.open(sealed, 5_000)).toThrow(expect.objectContaining({ reason: 'expired' }));
    expect(() => new RequestStateSeal().open(seal.seal(state))).toThrow(expect.objectContaining({ reason: 'forged' }));
    const flipped = sealed.slice(0, -3) + (sealed.at(-3) === 'A' ? 'B' : 'A') + sealed.slice(-2);
    expect(() => seal.open(flipped, 0)).toThrow(expect.objectContaining({ reason: 'forged' }));
    expect(() => seal.open('not base64url!', 0)).toThrow(expect.objectContaining({ reason: 'malformed' }));
    expect(() => seal.open('AAAA', 0)).toThrow(expect.objectContaining({ reason: 'malformed' }));
  });

  it('shows nothing of what it carries', () => {
    const sealed = new RequestStateSeal([NEW]).seal(state);
    expect(Buffer.from(sealed, 'base64url').toString('latin1')).not.toMatch(/replica|their-state|confirm/);
  });

  it('carries an upstream state of any reasonable size (the specification does not bound it)', () => {
    const seal = new RequestStateSeal([NEW]);
    const big = { ...state, upstream: 'x'.repeat(200_000) };
    expect(seal.open(seal.seal(big))).toEqual(big);
  });
});
