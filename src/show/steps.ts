/**
 * `show --steps`: the run step by step, as PySnooper prints it: each
 * executed line with its scope and source text, then the variables that
 * line set (new or changed in its frame), indented by call depth.
 *
 *    #4  f:4        total += x * x
 *            changed total = 1
 */
import type { Subject } from './subject.js';
import { shorten, type Style } from './style.js';
import { header } from './view.js';

export function renderSteps(subject: Subject, options: { style: Style; valueWidth: number }): string {
  const { trace } = subject;
  const s = options.style;
  const source = subject.code?.split('\n') ?? null;
  const known = new Map<number, Map<string, string>>();
  const out: string[] = [header(subject, s)];
  const stepWidth = String(trace.events.length).length;
  trace.events.forEach((event, i) => {
    const indent = '  '.repeat(event.depth);
    let frame = known.get(event.frame);
    const first = !frame;
    if (!frame) known.set(event.frame, (frame = new Map()));
    const text = source ? (source[event.line - 1] ?? '').trim() : '';
    const where = `${event.scope}:${event.line}`;
    out.push(`${s.dim(`#${i + 1}`.padEnd(stepWidth + 1))} ${indent}${s.count(where)}${first && event.depth > 0 ? s.dim(' (call)') : ''}  ${text}`);
    for (const [name, value] of Object.entries(event.vars)) {
      const what = frame.has(name) ? 'changed' : 'new';
      frame.set(name, value.repr);
      out.push(`${' '.repeat(stepWidth + 2)}${indent}  ${s.dim(what.padEnd(7))} ${s.name(name)} = ${shorten(value.repr, options.valueWidth)}`);
    }
  });
  if (trace.limits.events) out.push(s.error('(event cap reached: the run went on unrecorded)'));
  if (trace.exception) out.push(s.error(`✗ ${trace.exception.type}: ${trace.exception.message}${trace.exception.line ? ` (line ${trace.exception.line})` : ''}`));
  if (trace.return) out.push(s.ok(`⏎ returns ${shorten(trace.return.repr, options.valueWidth * 2)}`));
  if (trace.stdout !== '') out.push(s.dim('── stdout ──'), trace.stdout.replace(/\n$/, ''));
  return out.join('\n') + '\n';
}
