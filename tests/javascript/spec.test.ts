/**
 * Spec programs (fixtures/javascript/spec/*.js): each has a sidecar
 * NAME.expect.json written by hand (not produced by the tool) with the
 * expected stdout, exit code, an ordered list of per-line values, finals,
 * return value and exception. An expected event matches the next recorded
 * event at that line and scope whose frame state (all values known in the
 * frame after the event) contains the listed reprs.
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { RunInput } from '../../src/model/run.js';
import { endRecord, finals, reprOf, runJs, type RunResult } from './harness.js';

const SPEC_DIR = resolve(import.meta.dirname, '../../fixtures/javascript/spec');

interface ExpectedEvent { line: number; scope: string; kind?: string; vars?: Record<string, string> }
interface Spec {
  about: string;
  input?: RunInput;
  stdout: string;
  exit_code: number;
  events: ExpectedEvent[];
  finals?: Record<string, Record<string, string>>;
  return?: string;
  exception?: { type: string; message?: string; line: number };
  never?: string[];
}

interface StateEvent { line: number; scope: string; kind: string; state: Record<string, string>; delta: string[] }

/** Rebuild each frame's state from the delta-encoded events. */
function stateEvents(result: RunResult): StateEvent[] {
  const probes = result.instrumented!.probes;
  const states = new Map<number, Record<string, string>>();
  const out: StateEvent[] = [];
  for (const rec of result.records) {
    if (rec[0] !== 'E') continue;
    const probe = probes[rec[1] as number];
    const frame = rec[2] as number;
    const state = { ...(states.get(frame) ?? {}) };
    const delta = rec[3] as Record<string, unknown>;
    for (const [k, v] of Object.entries(delta)) state[k] = reprOf(v);
    states.set(frame, state);
    out.push({ line: probe.line, scope: probe.scope, kind: probe.kind, state, delta: Object.keys(delta) });
  }
  return out;
}

function matchEvents(actual: StateEvent[], expected: ExpectedEvent[]): string | null {
  let at = 0;
  for (const [n, want] of expected.entries()) {
    const ok = (e: StateEvent) => e.line === want.line && e.scope === want.scope && (want.kind === undefined || e.kind === want.kind) &&
      Object.entries(want.vars ?? {}).every(([k, v]) => e.state[k] === v);
    while (at < actual.length && !ok(actual[at])) at++;
    if (at === actual.length) {
      const near = actual.filter((e) => e.line === want.line && e.scope === want.scope).map((e) => JSON.stringify(e.state));
      return `expected event #${n} ${JSON.stringify(want)} not found in order; events at that line: ${near.join(' ; ') || 'none'}`;
    }
    at++;
  }
  return null;
}

const specs = readdirSync(SPEC_DIR).filter((f) => f.endsWith('.js')).map((f) => f.slice(0, -3)).sort();

describe('JavaScript spec programs', () => {
  it('has spec programs', () => expect(specs.length).toBeGreaterThanOrEqual(10));

  for (const name of specs) {
    it(name, async () => {
      const source = readFileSync(join(SPEC_DIR, `${name}.js`), 'utf8');
      const spec = JSON.parse(readFileSync(join(SPEC_DIR, `${name}.expect.json`), 'utf8')) as Spec;
      const input = spec.input ?? { kind: 'stdin', stdin: '' };
      const [traced, plain] = await Promise.all([runJs(source, { input }), runJs(source, { input, mode: 'plain' })]);
      expect(traced.instrumented?.problem).toBeNull();
      expect(traced.stdout).toBe(spec.stdout);
      expect(plain.stdout).toBe(spec.stdout);
      expect(traced.exitCode).toBe(spec.exit_code);
      expect(plain.exitCode).toBe(spec.exit_code);

      const events = stateEvents(traced);
      expect(matchEvents(events, spec.events)).toBeNull();

      const got = finals(traced);
      for (const [scope, vars] of Object.entries(spec.finals ?? {})) {
        expect(got[scope], `finals of ${scope}`).toBeDefined();
        for (const [k, v] of Object.entries(vars)) expect(got[scope][k], `final ${scope}.${k}`).toBe(v);
      }
      const end = endRecord(traced);
      expect(end).not.toBeNull();
      if (spec.return !== undefined) expect(end!.return?.repr).toBe(spec.return);
      if (spec.exception) {
        expect(end!.exception).toMatchObject({ type: spec.exception.type, line: spec.exception.line });
        if (spec.exception.message) expect(end!.exception!.message).toBe(spec.exception.message);
        expect(endRecord(plain)!.exception).toMatchObject({ type: spec.exception.type, line: spec.exception.line });
      } else {
        expect(end!.exception).toBeNull();
      }
      for (const name of spec.never ?? []) {
        expect(events.some((e) => e.delta.includes(name)), `${name} recorded as a variable`).toBe(false);
        for (const vars of Object.values(got)) expect(Object.keys(vars)).not.toContain(name);
      }
    });
  }
});
