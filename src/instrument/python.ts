/**
 * Python instrumenter: rewrites a program so that it reports its variables
 * to tracers/python/hooks.py (run by tracers/python/harness.py).
 *
 * - After each simple statement: `; __ctt__ and __ctp__(k)` on the same
 *   line (`__ctt__` turns false at the event cap, making probes nearly free).
 * - Before `return`/`raise`/`break`/`continue`: `__ctt__ and __ctp__(k); `
 *   on the same line, so the line is recorded before control leaves.
 * - On entry to a loop, `if`/`elif`, `with`, `except`, `case` or function
 *   body: a probe attributed to the header line (loop variables,
 *   parameters, `as` targets, captures).
 * - The probe on entry to a function body is `__cte__(k)`: after the event
 *   cap, line probes become free but entries still track frames (depth,
 *   recursion limit).
 * - Every function body is wrapped in `try: ... finally: __ctx__(s)` so the
 *   variables at frame exit become the finals of scope s, however the frame
 *   ends. The wrap adds lines and one level of indentation; the returned
 *   line map lets the runtime give every compiled node its original line
 *   and column, so tracebacks still name the user's lines.
 *
 * Edits are collected and applied once (see edits.ts). Class bodies are not
 * probed (their namespace is not a frame users reason about), but the
 * methods inside them are.
 */
import type { Node } from 'web-tree-sitter';
import { EditList } from './edits.js';
import { withTree } from './parser.js';
import type { Instrumented, Probe, ProbeKind } from './types.js';

export const PROBE = '__ctp__';
/** True while events are recorded: after the cap a line probe costs one builtin load. */
export const RECORDING = '__ctt__';
export const EXIT = '__ctx__';
/** Function-entry probe: also keeps frame bookkeeping alive after the event cap. */
export const ENTER = '__cte__';

const SIMPLE_STATEMENTS = new Set([
  'expression_statement', 'return_statement', 'pass_statement', 'delete_statement',
  'raise_statement', 'global_statement', 'nonlocal_statement', 'import_statement',
  'import_from_statement', 'future_import_statement', 'assert_statement',
  'break_statement', 'continue_statement', 'print_statement', 'exec_statement',
  'type_alias_statement',
]);
/** Statements after which control never falls through: probe before them. */
const LEAVING = new Set(['return_statement', 'raise_statement', 'break_statement', 'continue_statement']);
/** Declarations with no run-time effect, and statements that must stay first. */
const UNPROBED = new Set(['global_statement', 'nonlocal_statement', 'future_import_statement']);

function probeCall(k: number): string {
  return `${RECORDING} and ${PROBE}(${k})`;
}

interface Wrap {
  /** Rows (0-based) of the first and last body line. */
  firstRow: number;
  lastRow: number;
  /** Character used to indent the wrapped body one level deeper. */
  indentChar: string;
  depth: number;
}

interface Scope {
  name: string;
  /** Qualified-name prefix for nested definitions. */
  prefix: string;
}

/** Walks the tree, collecting probes and edits. One instance per program. */
class PythonInstrumenter {
  readonly probes: Probe[] = [];
  readonly scopes: string[] = ['<module>'];
  /**
   * Insertions are built at render time, once the extra indentation of
   * every row (from the function wraps around it) is known.
   */
  private readonly insertions: { at: number; order: number; build: (extra: Extra) => string }[] = [];
  /** Whole lines to insert before a row (0-based), in order. */
  private readonly linesBefore = new Map<number, ((extra: Extra) => string)[]>();
  private readonly wraps: Wrap[] = [];
  /** One-line function bodies moved to a new line: the probe that starts it, and the body's original column (UTF-8 bytes). */
  private readonly movedText: { marker: string; column: number }[] = [];
  /** Rows that continue a multi-line string: never re-indented. */
  private readonly stringRows = new Set<number>();
  private readonly lineStarts: number[];

  constructor(private readonly source: string) {
    this.lineStarts = [0];
    for (let i = 0; i < source.length; i++) if (source[i] === '\n') this.lineStarts.push(i + 1);
  }

  run(root: Node): string {
    this.markStringRows(root);
    // The module docstring stays unprobed: a `from __future__` import may follow it.
    const statements = statementsOf(root);
    const body = statements.length > 0 && isDocstring(statements[0]) ? statements.slice(1) : statements;
    this.visitBlock(body, { name: '<module>', prefix: '' }, 0);
    return this.render();
  }

  // -- visiting ------------------------------------------------------------

  private visitBlock(statements: Node[], scope: Scope, depth: number): void {
    for (const stmt of statements) this.visitStatement(stmt, scope, depth);
  }

  private visitStatement(stmt: Node, scope: Scope, depth: number): void {
    if (SIMPLE_STATEMENTS.has(stmt.type)) return this.probeSimple(stmt, scope);
    switch (stmt.type) {
      case 'function_definition':
        this.visitFunction(stmt, scope, depth);
        return this.probeDefinition(stmt, stmt, scope, depth);
      case 'class_definition':
        this.visitClass(stmt, scope, depth);
        return this.probeDefinition(stmt, stmt, scope, depth);
      case 'decorated_definition': {
        const def = stmt.childForFieldName('definition');
        if (def) this.visitStatement(def, scope, depth);
        return;
      }
      default:
        return this.visitCompound(stmt, scope, depth);
    }
  }

  /** if/for/while/try/with/match and their clauses. */
  private visitCompound(node: Node, scope: Scope, depth: number): void {
    for (const child of node.namedChildren) {
      if (child.type === 'block') {
        const entered = ENTRY_PROBED.has(node.type) && node.type !== 'try_statement';
        this.visitBody(child, entered ? node : null, scope, depth);
      } else if (CLAUSES.has(child.type)) {
        this.visitCompound(child, scope, depth);
      }
    }
  }

  private visitBody(block: Node, header: Node | null, scope: Scope, depth: number): void {
    const statements = statementsOf(block);
    if (statements.length === 0) return;
    if (header && scope.name !== '<class>') this.entryProbe(statements[0], header, scope);
    this.visitBlock(statements, scope, depth);
  }

  private visitClass(node: Node, scope: Scope, depth: number): void {
    const name = node.childForFieldName('name')?.text ?? '<class>';
    const body = node.childForFieldName('body');
    if (!body) return;
    // Statements of the class body itself get no probes (see probeSimple and
    // visitBody), but methods are found wherever they are (under `if`, `try`...).
    const classScope: Scope = { name: '<class>', prefix: `${scope.prefix}${name}.` };
    this.visitBlock(statementsOf(body), classScope, depth);
  }

  private visitFunction(node: Node, outer: Scope, depth: number): void {
    const name = node.childForFieldName('name')?.text ?? '<lambda>';
    const body = node.childForFieldName('body');
    if (!body) return;
    const qualified = `${outer.prefix}${name}`;
    const scope: Scope = { name: qualified, prefix: `${qualified}.` };
    const scopeIndex = this.scopes.push(qualified) - 1;
    const all = statementsOf(body);
    const statements = all.length > 0 && isDocstring(all[0]) ? all.slice(1) : all;
    const enter = this.addProbe(node.startPosition.row + 1, qualified, 'enter');
    if (statements.length === 0) {
      // Only a docstring: one line still records entry and exit.
      if (all[0]) this.insert(all[0].endIndex, 0, () => `; ${ENTER}(${enter}); ${EXIT}(${scopeIndex})`);
      return;
    }
    const first = statements[0];
    const last = statements[statements.length - 1];
    const finallyOrder = 100 - depth; // an inner `finally:` comes before an outer one
    const finallyLine = (indent: string) => `\n${indent}finally: ${EXIT}(${scopeIndex})`;
    if (this.textBeforeOnRow(first).trim() !== '') {
      // Body on the header's line (`def f(x): return x`): open the wrap on new lines.
      const defRow = node.startPosition.row;
      const indent = (extra: Extra) => `${extra(defRow)}${this.indentOfRow(defRow)} `;
      this.insert(first.startIndex, -1, (extra) => `\n${indent(extra)}try:\n${indent(extra)} ${ENTER}(${enter}); `);
      this.insert(last.endIndex, finallyOrder, (extra) => finallyLine(indent(extra)));
      this.wraps.push({ firstRow: defRow + 1, lastRow: last.endPosition.row, indentChar: ' ', depth });
      const moved = Buffer.byteLength(this.source.slice(this.lineStarts[defRow], first.startIndex));
      this.movedText.push({ marker: `${ENTER}(${enter}); `, column: moved });
    } else {
      const firstRow = first.startPosition.row;
      const indent = this.indentOfRow(firstRow);
      const wrap: Wrap = { firstRow, lastRow: last.endPosition.row, indentChar: indent.startsWith('\t') ? '\t' : ' ', depth };
      this.wraps.push(wrap);
      const outerExtra = (extra: Extra) => extra(firstRow).slice(0, -1);
      this.addLineBefore(firstRow, (extra) => `${outerExtra(extra)}${indent}try:\n`);
      this.addLineBefore(firstRow, (extra) => `${extra(firstRow)}${indent}${ENTER}(${enter})\n`);
      this.insert(last.endIndex, finallyOrder, (extra) => finallyLine(`${outerExtra(extra)}${indent}`));
    }
    for (const stmt of statements) this.visitStatement(stmt, scope, depth + 1);
  }

  // -- probes --------------------------------------------------------------

  private probeSimple(stmt: Node, scope: Scope): void {
    if (scope.name === '<class>' || UNPROBED.has(stmt.type)) return;
    // `x: int` in a function compiles to nothing: no line ran, no event.
    if (scope.name !== '<module>' && isBareAnnotation(stmt)) return;
    const line = stmt.startPosition.row + 1;
    if (LEAVING.has(stmt.type)) {
      const k = this.addProbe(line, scope.name, 'before');
      this.insert(stmt.startIndex, 1, () => `${probeCall(k)}; `);
    } else {
      const k = this.addProbe(line, scope.name, 'after');
      this.insert(stmt.endIndex, 0, () => `; ${probeCall(k)}`);
    }
  }

  /**
   * A probe after a `def`/`class` statement, on a line of its own below the
   * block: binding the name is a step of the enclosing frame. It must land
   * after the definition's own `finally:` (order 100 - depth) and before
   * that of an enclosing function ending at the same place (101 - depth).
   */
  private probeDefinition(def: Node, stmt: Node, scope: Scope, depth: number): void {
    if (scope.name === '<class>') return;
    const end = (stmt.parent?.type === 'decorated_definition' ? stmt.parent : stmt).endIndex;
    const row = stmt.parent?.type === 'decorated_definition' ? stmt.parent.startPosition.row : stmt.startPosition.row;
    const k = this.addProbe(def.startPosition.row + 1, scope.name, 'after');
    const indent = this.indentOfRow(row);
    this.insert(end, 100.5 - depth, (extra) => `\n${extra(row)}${indent}${probeCall(k)}`);
  }

  /** A probe on block entry, attributed to the header's line. */
  private entryProbe(first: Node, header: Node, scope: Scope): void {
    const k = this.addProbe(header.startPosition.row + 1, scope.name, 'enter');
    if (this.textBeforeOnRow(first).trim() !== '') {
      this.insert(first.startIndex, 0, () => `${probeCall(k)}; `);
    } else {
      const row = first.startPosition.row;
      const indent = this.indentOfRow(row);
      this.addLineBefore(row, (extra) => `${extra(row)}${indent}${probeCall(k)}\n`);
    }
  }

  private addProbe(line: number, scope: string, kind: ProbeKind): number {
    const id = this.probes.length;
    this.probes.push({ id, line, scope, kind });
    return id;
  }

  private insert(at: number, order: number, build: (extra: Extra) => string): void {
    this.insertions.push({ at, order, build });
  }

  private addLineBefore(row: number, build: (extra: Extra) => string): void {
    const list = this.linesBefore.get(row) ?? [];
    list.push(build);
    this.linesBefore.set(row, list);
  }

  // -- rendering -----------------------------------------------------------

  private render(): string {
    const extra: Extra = (row) =>
      this.wraps
        .filter((w) => row >= w.firstRow && row <= w.lastRow)
        .sort((a, b) => a.depth - b.depth)
        .map((w) => w.indentChar)
        .join('');
    const edits = new EditList();
    for (const { at, order, build } of this.insertions) edits.insert(at, build(extra), order);
    const rows = new Set<number>(this.linesBefore.keys());
    for (const w of this.wraps) for (let r = w.firstRow; r <= w.lastRow; r++) rows.add(r);
    for (const row of rows) {
      if (this.stringRows.has(row) || row >= this.lineStarts.length) continue;
      const before = (this.linesBefore.get(row) ?? []).map((build) => build(extra)).join('');
      edits.insert(this.lineStarts[row], before + extra(row), -10);
    }
    const applied = edits.apply(this.source);
    this.lineMap = applied.lines;
    this.markMovedText(applied.text);
    return applied.text;
  }

  /**
   * A one-line body (`def f(x): return x`) moves to a line of its own, so
   * its columns no longer match the original row. A negative-length
   * insertion at column 0 tells the runtime to add them back (see
   * _original_column in tracers/python/locations.py).
   */
  private markMovedText(text: string): void {
    if (this.movedText.length === 0 || !this.lineMap) return;
    const lines = text.split('\n');
    for (const { marker, column } of this.movedText) {
      const index = lines.findIndex((line) => line.includes(marker));
      if (index >= 0) this.lineMap[index].inserted.unshift([0, -column]);
    }
  }

  lineMap: Instrumented['lineMap'] = null;

  // -- text helpers ----------------------------------------------------------

  private indentOfRow(row: number): string {
    const start = this.lineStarts[row];
    const match = /^[ \t]*/.exec(this.source.slice(start, start + 200));
    return match ? match[0] : '';
  }

  private textBeforeOnRow(node: Node): string {
    return this.source.slice(this.lineStarts[node.startPosition.row], node.startIndex);
  }

  private markStringRows(root: Node): void {
    for (const s of root.descendantsOfType('string')) {
      for (let r = s.startPosition.row + 1; r <= s.endPosition.row; r++) this.stringRows.add(r);
    }
  }
}

/** Compound statements whose body gets an entry probe (header line recorded). */
const ENTRY_PROBED = new Set([
  'for_statement', 'while_statement', 'if_statement', 'elif_clause', 'with_statement',
  'except_clause', 'except_group_clause', 'case_clause',
]);
/** Clauses that hold further blocks. */
const CLAUSES = new Set([
  'elif_clause', 'else_clause', 'except_clause', 'except_group_clause', 'finally_clause', 'case_clause', 'block',
]);

function statementsOf(block: Node): Node[] {
  return block.namedChildren.filter((n): n is Node => n !== null && n.type !== 'comment');
}

function isBareAnnotation(stmt: Node): boolean {
  const expr = stmt.type === 'expression_statement' && stmt.namedChildCount === 1 ? stmt.namedChildren[0] : null;
  return expr?.type === 'assignment' && expr.childForFieldName('type') !== null && expr.childForFieldName('right') === null;
}

function isDocstring(stmt: Node): boolean {
  return stmt.type === 'expression_statement' && stmt.namedChildCount === 1 && stmt.namedChildren[0]?.type === 'string';
}

/** The indentation that function wraps add at the start of a row. */
type Extra = (row: number) => string;

/**
 * Past this size (UTF-16 code units) a program is run untraced: parsing and
 * rewriting cost ~1 s per MB, and no real solution is that long.
 */
export const MAX_TRACED_SOURCE = 2_000_000;

export async function instrumentPython(source: string): Promise<Instrumented> {
  if (source.length > MAX_TRACED_SOURCE) {
    const mb = (source.length / 1e6).toFixed(1);
    return { language: 'python', code: null, probes: [], scopes: ['<module>'], lineMap: null, problem: `program too large to trace (${mb} M characters; limit ${MAX_TRACED_SOURCE / 1e6} M)` };
  }
  return withTree('python', source, (tree) => {
    if (tree.rootNode.hasError) {
      const bad = tree.rootNode.descendantsOfType('ERROR')[0] ?? findMissing(tree.rootNode);
      const line = bad ? bad.startPosition.row + 1 : 1;
      return { language: 'python', code: null, probes: [], scopes: ['<module>'], lineMap: null, problem: `tree-sitter parse error at line ${line}` };
    }
    const instrumenter = new PythonInstrumenter(source);
    const code = instrumenter.run(tree.rootNode);
    return { language: 'python', code, probes: instrumenter.probes, scopes: instrumenter.scopes, lineMap: instrumenter.lineMap, problem: null };
  });
}

function findMissing(node: Node): Node | null {
  if (node.isMissing) return node;
  for (const child of node.children) {
    if (child && child.hasError) {
      const found = findMissing(child);
      if (found) return found;
    }
  }
  return null;
}
