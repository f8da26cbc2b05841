/**
 * The default view of `show`: the source with line numbers and, beside
 * each executed line, how often it ran and the values set there (first
 * and last), the return value or exception at its line, then stdout.
 *
 *    3 │     for x in xs:            ×3  x: 1 → 3
 */
import type { Value } from '../model/trace.js';
import { factsByLine, returnLine, targetLines, type LineFacts, type Subject } from './subject.js';
import { CUT, shorten, visibleLength, type Style } from './style.js';

export interface ViewOptions {
  style: Style;
  /** Longest value shown before it is cut. */
  valueWidth: number;
  /** Terminal width, or null (no limit). */
  width: number | null;
}

const CODE_COLUMN_MAX = 56;

export function renderView(subject: Subject, options: ViewOptions): string {
  const { trace } = subject;
  const s = options.style;
  const out: string[] = [header(subject, s)];
  const facts = factsByLine(trace);
  const retLine = returnLine(trace);
  const excLine = trace.exception?.line ?? null;
  const targets = subject.task ? targetLines(trace, subject.task) : new Map();
  const source = subject.code?.replace(/\n$/, '').split('\n') ?? null;
  const lastLine = Math.max(source?.length ?? 0, ...facts.keys(), retLine ?? 0, excLine ?? 0);
  const codeWidth = Math.min(CODE_COLUMN_MAX, Math.max(0, ...(source ?? []).map((l) => l.length)));
  const numberWidth = String(lastLine).length;
  for (let n = 1; n <= lastLine; n++) {
    const text = source ? (source[n - 1] ?? '') : '';
    const f = facts.get(n);
    if (!source && !f && n !== retLine && n !== excLine) continue;
    const notes: string[] = [];
    if (f) notes.push(s.count(`×${f.hits}`), ...varNotes(f, options));
    if (n === retLine && trace.return) notes.push(s.ok(`⏎ returns ${shorten(trace.return.repr, options.valueWidth)}`));
    if (n === excLine && trace.exception) notes.push(s.error(`✗ ${trace.exception.type}: ${shorten(trace.exception.message, options.valueWidth * 2)}`));
    for (const t of targets.get(n) ?? []) notes.push(s.target(`◆ ${t.key} = ${shorten(t.repr, options.valueWidth)}`));
    if (subject.task?.line === n) notes.push(s.target(`◆ state after run #${subject.task.hit} of this line is asked`));
    const num = s.dim(String(n).padStart(numberWidth));
    const code = f ? text : s.dim(text);
    const pad = ' '.repeat(Math.max(0, codeWidth - text.length));
    out.push(fit(`${num} │ ${code}${notes.length ? `${pad}  ${notes.join('  ')}` : ''}`.trimEnd(), options.width));
  }
  if (!source) out.push(s.dim('(the trace record holds no source: give --code FILE to see the program)'));
  if (trace.exception && excLine === null) out.push(s.error(`✗ ${trace.exception.type}: ${trace.exception.message}`));
  if (trace.return && retLine === null) out.push(s.ok(`⏎ returns ${trace.return.repr}`));
  out.push(...outputs(subject, s));
  out.push(s.dim(`×N: steps recorded at the line (an if/elif/while header: times its body was entered) · name: first → last value set there · ${CUT}: value shortened`));
  return out.join('\n') + '\n';
}

export function header(subject: Subject, s: Style): string {
  const { trace } = subject;
  const status = trace.status === 'ok' ? s.ok(trace.status) : s.error(trace.status);
  const parts = [s.bold(subject.title), trace.language, `status ${status}`, `${trace.events.length} events`];
  if (trace.detail) parts.push(trace.detail);
  const flags = Object.entries(trace.limits).filter(([, hit]) => hit).map(([k]) => k);
  if (flags.length) parts.push(s.error(`limits hit: ${flags.join(', ')}`));
  if (trace.warnings.length) parts.push(s.error(`warnings: ${trace.warnings.join(', ')}`));
  const lines = [parts.join('  ')];
  if (subject.input !== null) lines.push(`${s.dim('input:')} ${shorten(subject.input, 200)}`);
  if (subject.task) lines.push(`${s.dim('task:')} ${subject.task.kind}, targets ${subject.task.targets.map((t) => s.target(t.key)).join(', ') || '(none)'}`);
  return lines.join('\n');
}

function varNotes(f: LineFacts, options: ViewOptions): string[] {
  const s = options.style;
  const v = (value: Value) => shorten(value.repr, options.valueWidth);
  return [...f.vars].map(([name, { first, last, times }]) =>
    `${s.name(name)}: ${times === 1 ? v(first) : `${v(first)} → ${v(last)}`}`);
}

function outputs(subject: Subject, s: Style): string[] {
  const { trace } = subject;
  const out: string[] = [];
  const block = (label: string, text: string, cut: boolean) => {
    if (text === '') return;
    out.push(s.dim(`── ${label}${cut ? ' (capped)' : ''} ──`));
    out.push(text.replace(/\n$/, ''));
  };
  block('stdout', trace.stdout, trace.truncated.stdout);
  if (trace.status !== 'ok') block('stderr', trace.stderr, trace.truncated.stderr);
  if (trace.stdout === '') out.push(s.dim('(no stdout)'));
  if (subject.task?.expectedOutput != null) out.push(`${s.target('◆ expected output:')} ${shorten(subject.task.expectedOutput, 200)}`);
  return out;
}

/** Cut a line to the terminal width (colour codes do not count). */
function fit(line: string, width: number | null): string {
  if (width === null || visibleLength(line) <= width) return line;
  // Cut on the visible text; drop colours on such a line rather than break a code.
  const plain = line.replace(/\x1b\[[0-9;]*m/g, '');
  return plain.slice(0, width - 1) + CUT;
}
