/**
 * The JavaScript tracer writes a number, boolean or null whose repr is its own
 * JSON text as a bare JSON value on the channel, and the decoder expands it
 * (tracers/README.md). The numbers where repr and JSON part ways must keep
 * their full form: the decoded reprs are checked against node's own
 * util.inspect of the same values, and the JSON part against JSON.parse.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { inspect } from 'node:util';
import { Tracer } from '../../src/trace/tracer.js';
import { DEFAULT_LIMITS } from '../../src/run/limits.js';

const tracer = new Tracer({ jobs: 1, limits: DEFAULT_LIMITS });
afterAll(() => tracer.close());

// Each value in turn, as program text and as the value it makes, assigned to `a`: one event each.
const VALUES: [string, unknown][] = [
  ['0', 0], ['-0', -0], ['7', 7], ['-3.25', -3.25], ['0.1', 0.1], ['1e21', 1e21], ['2 ** 53 + 2', 2 ** 53 + 2],
  ['NaN', NaN], ['-Infinity', -Infinity], ['true', true], ['false', false], ['null', null], ['undefined', undefined],
  ['5n', 5n], ['"7"', '7'],
];

describe('compact values on the JavaScript trace channel', () => {
  it('decode to the repr node prints and to the JSON value they stand for', async () => {
    const code = `let a = 'start';\n${VALUES.map(([text]) => `a = ${text};`).join('\n')}\n`;
    const trace = await tracer.trace({ id: 'compact', language: 'javascript', code, input: { kind: 'stdin', stdin: '' } });
    expect(trace.status).toBe('ok');
    const seen = trace.events.filter((e) => 'a' in e.vars).map((e) => e.vars.a).slice(1);
    const expected = VALUES.map(([, value]) => value);
    expect(seen.map((v) => v.repr)).toEqual(expected.map((v) => inspect(v)));
    // Where repr is the JSON text of a number, boolean or null, json is that value.
    for (const [i, value] of seen.entries()) {
      if (typeof expected[i] === 'number' || typeof expected[i] === 'boolean' || expected[i] === null) {
        if (value.repr === JSON.stringify(expected[i])) expect(value.json).toEqual(JSON.parse(value.repr));
      }
    }
  });
});
