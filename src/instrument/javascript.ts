/**
 * JavaScript instrumenter: tree-sitter-javascript tree -> probe calls inserted
 * into the original text, on the lines they describe (no newline is ever
 * inserted before the end of the program, so Node's stack traces and error
 * messages name original lines and `lineMap` is null).
 *
 * Generated code (runtime in tracers/javascript/runner.js):
 *   __ct$.p(__ct$f, 7, "a,b", [a, b])   probe 7 in frame __ct$f; reads only
 *                                        bindings that are initialised there
 *   const __ct$f=__ct$.e("f",0);try{ ... }finally{__ct$.x(__ct$f,"a,v",[a,v])}
 *                                        function body: frame entry and exit
 *   ;__ct$.m("a,f",()=>[a,f]);           appended after the last line: lets the
 *                                        runner read module bindings at the end
 *
 * Which names a probe reads is decided statically so that the tracer can never
 * touch a let/const/class binding in its temporal dead zone: parameters, `var`
 * names whose declaration is textually before the probe, and lexical names
 * whose declaration statement has completed in the current or an enclosing
 * block of the same function; a name redeclared lexically by an enclosing
 * block is hidden until that declaration completes. A frame's variables are
 * its own locals (free variables of closures belong to the frame that
 * declares them).
 */
import type { Node } from 'web-tree-sitter';
import { EditList } from './edits.js';
import { withTree } from './parser.js';
import type { Instrumented, Probe, ProbeKind } from './types.js';
import {
  CLASS_TYPES, FUNCTION_TYPES, boundNames, declare, directiveEnd, isDirective, lexicalNames, line, parameterNames, propertyName,
  qualify, scopeWith, statementChildren, unique, unwrapLabels, varNames, type Env, type FunctionContext,
} from './javascript-names.js';

/** Statements that run and then fall through: they get an `after` probe. */
const SIMPLE_STATEMENTS = new Set(['expression_statement', 'variable_declaration', 'lexical_declaration', 'class_declaration']);
/** Statements that leave the block: they get a `before` probe. */
const EXIT_STATEMENTS = new Set(['return_statement', 'throw_statement', 'break_statement', 'continue_statement']);

function firstErrorLine(root: Node): number {
  let found: Node | null = null;
  const walk = (node: Node) => {
    if (found) return;
    if (node.type === 'ERROR' || node.isMissing) { found = node; return; }
    if (!node.hasError) return;
    for (const child of node.children) walk(child);
  };
  walk(root);
  return found ? line(found) : 1;
}

class JavaScriptInstrumenter {
  readonly edits = new EditList();
  readonly probes: Probe[] = [];
  readonly scopes: string[] = ['<module>'];
  /** Where each function and class starts, in order: `expr` skips subtrees without one. */
  private functionStarts: number[] = [];

  // ------------------------------------------------------------ probes

  private probeCall(env: Env, kind: ProbeKind, at: Node, lineNode: Node = at): string {
    const id = this.probes.length;
    this.probes.push({ id, line: line(lineNode), scope: env.fn.scope, kind });
    const names = unique([...env.fn.params, ...env.fn.varsSeen, ...env.visible]).filter((n) => !env.hidden.has(n));
    return `__ct$.p(__ct$f,${id},${JSON.stringify(names.join(','))},[${names.join(',')}]);`;
  }

  private insertOpen(at: number, node: Node, text: string, extra = 0): void {
    this.edits.insert(at, text, 2 * this.depthOf(node) + extra);
  }

  private insertClose(at: number, node: Node, text: string, extra = 0): void {
    this.edits.insert(at, text, -2 * this.depthOf(node) + extra);
  }

  /** Whether a function or class starts inside node (a binary search, no walk of its subtree). */
  private holdsFunction(node: Node): boolean {
    const starts = this.functionStarts;
    let lo = 0;
    let hi = starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid] < node.startIndex) lo = mid + 1;
      else hi = mid;
    }
    return lo < starts.length && starts[lo] < node.endIndex;
  }

  /** Tree depth by node id, memoised: `parent` costs a walk down from the root. */
  private readonly depths = new Map<number, number>();
  private depthOf(node: Node): number {
    const chain: Node[] = [];
    let depth = -1; // the root's parent
    for (let n: Node | null = node; n; n = n.parent) {
      const known = this.depths.get(n.id);
      if (known !== undefined) {
        depth = known;
        break;
      }
      chain.push(n);
    }
    for (let i = chain.length - 1; i >= 0; i--) this.depths.set(chain[i].id, ++depth);
    return depth;
  }

  // ------------------------------------------------------------ statements

  program(root: Node): string {
    this.functionStarts = root.descendantsOfType([...FUNCTION_TYPES, ...CLASS_TYPES]).map((n) => n.startIndex).sort((a, b) => a - b);
    const fn: FunctionContext = { scope: '<module>', params: [], varsSeen: [] };
    const statements = statementChildren(root);
    const env = this.block(statements, { fn, visible: [], hidden: new Set() }, directiveEnd(statements));
    const finals = unique([...varNames(root), ...env.visible]);
    return `\n;__ct$.m(${JSON.stringify(finals.join(','))},()=>[${finals.join(',')}]);\n`;
  }

  /** Instrument a statement list as one block scope; returns the env at its end. */
  private block(statements: Node[], outer: Env, skip = 0): Env {
    const lexical = new Set(lexicalNames(statements));
    const env: Env = {
      fn: outer.fn,
      visible: outer.visible.filter((n) => !lexical.has(n)),
      hidden: new Set([...outer.hidden, ...lexical]),
    };
    statements.forEach((s, i) => { if (i >= skip) this.statement(s, env); });
    return env;
  }

  /** Instrument one statement of a list, then record what it declared and add its probe. */
  private statement(stmt: Node, env: Env): void {
    const inner = unwrapLabels(stmt);
    if (EXIT_STATEMENTS.has(inner.type)) {
      this.insertOpen(stmt.startIndex, stmt, ';' + this.probeCall(env, 'before', stmt), 1);
    }
    this.compound(inner, env);
    switch (inner.type) {
      case 'variable_declaration':
        env.fn.varsSeen.push(...boundNames(inner));
        break;
      case 'lexical_declaration':
      case 'class_declaration':
      case 'function_declaration':
      case 'generator_function_declaration': {
        const names = inner.type === 'lexical_declaration' ? boundNames(inner) : [inner.childForFieldName('name')?.text ?? ''];
        declare(env, names.filter(Boolean));
        break;
      }
    }
    if (SIMPLE_STATEMENTS.has(inner.type) && !isDirective(inner)) {
      this.insertClose(stmt.endIndex, stmt, ';' + this.probeCall(env, 'after', stmt));
    }
  }

  /** The parts of a statement other than its own probe. */
  private compound(node: Node, env: Env): void {
    const field = (name: string) => node.childForFieldName(name);
    switch (node.type) {
      case 'statement_block':
        this.block(statementChildren(node), env);
        return;
      case 'if_statement': {
        this.expr(field('condition'), env);
        this.body(field('consequence'), env, null);
        const alternative = field('alternative');
        const elseBody = alternative?.namedChildren.find((c) => c.type !== 'comment') ?? null;
        if (elseBody?.type === 'if_statement') this.compound(elseBody, env);
        else this.body(elseBody, env, null);
        return;
      }
      case 'for_statement': {
        const init = field('initializer');
        const loopEnv = scopeWith(env, []);
        if (init?.type === 'lexical_declaration') {
          this.expr(init, loopEnv);
          declare(loopEnv, boundNames(init));
        } else if (init?.type === 'variable_declaration') {
          this.expr(init, loopEnv);
          env.fn.varsSeen.push(...boundNames(init));
        } else this.expr(init, loopEnv);
        this.expr(field('condition'), loopEnv);
        this.expr(field('increment'), loopEnv);
        this.body(field('body'), loopEnv, node);
        return;
      }
      case 'for_in_statement': {
        this.expr(field('right'), env);
        const kind = field('kind')?.text;
        const names = kind ? boundNames(field('left')) : [];
        if (!kind) this.expr(field('left'), env);
        const loopEnv = scopeWith(env, []);
        if (kind === 'var') env.fn.varsSeen.push(...names);
        else declare(loopEnv, names);
        this.body(field('body'), loopEnv, node);
        return;
      }
      case 'while_statement':
        this.expr(field('condition'), env);
        this.body(field('body'), env, node);
        return;
      case 'do_statement':
        this.body(field('body'), env, node);
        this.expr(field('condition'), env);
        return;
      case 'try_statement': {
        this.compound(field('body')!, env);
        const handler = field('handler');
        if (handler) {
          const param = handler.childForFieldName('parameter');
          this.expr(param, env); // default values in a destructured catch parameter
          const catchEnv = scopeWith(env, boundNames(param));
          this.body(handler.childForFieldName('body'), catchEnv, handler);
        }
        const finalizer = field('finalizer');
        if (finalizer) this.compound(finalizer.childForFieldName('body')!, env);
        return;
      }
      case 'switch_statement': {
        this.expr(field('value'), env);
        const cases = field('body')?.namedChildren.filter((c) => c.type === 'switch_case' || c.type === 'switch_default') ?? [];
        const all = cases.flatMap((c) => c.childrenForFieldName('body'));
        const lexical = new Set(lexicalNames(all));
        for (const c of cases) {
          this.expr(c.childForFieldName('value'), env);
          // A case can be entered directly: only its own earlier declarations are initialised.
          const caseEnv: Env = {
            fn: env.fn,
            visible: env.visible.filter((n) => !lexical.has(n)),
            hidden: new Set([...env.hidden, ...lexical]),
          };
          for (const s of c.childrenForFieldName('body').filter((s) => s.type !== 'comment')) this.statement(s, caseEnv);
        }
        return;
      }
      case 'labeled_statement':
        this.compound(unwrapLabels(node), env);
        return;
      case 'with_statement':
        // Names inside `with` may resolve to properties (getters, proxies): not traced.
        this.expr(field('object'), env);
        return;
      case 'function_declaration':
      case 'generator_function_declaration':
        this.func(node, env.fn, node.childForFieldName('name')?.text ?? null);
        return;
      case 'class_declaration':
        this.classBody(node, env, node.childForFieldName('name')?.text ?? null);
        return;
      case 'variable_declaration':
      case 'lexical_declaration':
        for (const d of node.namedChildren) {
          if (d.type !== 'variable_declarator') continue;
          this.expr(d.childForFieldName('name'), env);
          this.expr(d.childForFieldName('value'), env, d.childForFieldName('name')?.type === 'identifier' ? d.childForFieldName('name')!.text : null);
        }
        return;
      default:
        for (const child of node.namedChildren) this.expr(child, env);
    }
  }

  /**
   * The body of an if/else/loop/catch. A brace-less body that needs a probe is
   * wrapped in braces on its own lines; `enter` (the loop or catch) gets an
   * enter probe attributed to its header line.
   */
  private body(node: Node | null, env: Env, enter: Node | null): void {
    if (!node) return;
    if (node.type === 'statement_block') {
      if (enter) this.insertOpen(node.startIndex + 1, node, this.probeCall(env, 'enter', node, enter), 1);
      this.block(statementChildren(node), env);
      return;
    }
    const inner = unwrapLabels(node);
    const needsWrap = enter !== null || SIMPLE_STATEMENTS.has(inner.type) || EXIT_STATEMENTS.has(inner.type);
    if (!needsWrap) {
      this.compound(node, env);
      return;
    }
    this.insertOpen(node.startIndex, node, '{' + (enter ? this.probeCall(env, 'enter', node, enter) : ''));
    this.block([node], env);
    this.insertClose(node.endIndex, node, '}', 1);
  }

  // ------------------------------------------------------------ expressions

  /** Find functions and classes inside an expression; `hint` names an anonymous one. */
  private expr(node: Node | null, env: Env, hint: string | null = null): void {
    if (!node || !this.holdsFunction(node)) return;
    if (FUNCTION_TYPES.has(node.type)) {
      this.func(node, env.fn, node.childForFieldName('name')?.text ?? hint);
      return;
    }
    if (CLASS_TYPES.has(node.type)) {
      this.classBody(node, env, node.childForFieldName('name')?.text ?? hint);
      return;
    }
    if (node.type === 'object') {
      for (const member of node.namedChildren) {
        if (member.type === 'pair') {
          this.expr(member.childForFieldName('key'), env);
          this.expr(member.childForFieldName('value'), env, qualify(hint, propertyName(member.childForFieldName('key'))));
        } else if (member.type === 'method_definition') {
          this.func(member, env.fn, qualify(hint, propertyName(member.childForFieldName('name'))));
        } else this.expr(member, env);
      }
      return;
    }
    if (node.type === 'assignment_expression') {
      const left = node.childForFieldName('left');
      this.expr(left, env);
      const name = left?.type === 'identifier' ? left.text
        : left?.type === 'member_expression' ? propertyName(left.childForFieldName('property')) : null;
      this.expr(node.childForFieldName('right'), env, name);
      return;
    }
    for (const child of node.namedChildren) this.expr(child, env);
  }

  // ------------------------------------------------------------ functions

  private func(node: Node, parent: FunctionContext, name: string | null): void {
    const own = name ?? `<anonymous@${line(node)}>`;
    const scope = parent.scope === '<module>' ? own : `${parent.scope}.${own}`;
    if (!this.scopes.includes(scope)) this.scopes.push(scope);
    const params = parameterNames(node);
    const fn: FunctionContext = { scope, params, varsSeen: [] };
    const env: Env = { fn, visible: [], hidden: new Set() };
    const paramList = node.childForFieldName('parameters');
    if (paramList) this.expr(paramList, env);
    const body = node.childForFieldName('body');
    if (!body) return;
    const suspendable = node.children.some((c) => c.type === 'async' || c.type === '*') || node.type.startsWith('generator');
    const prologue = `const __ct$f=__ct$.e(${JSON.stringify(scope)},${suspendable ? 1 : 0});try{`;
    const exitNames = unique([...params, ...(body.type === 'statement_block' ? varNames(body) : [])]);
    const epilogue = `}finally{__ct$.x(__ct$f,${JSON.stringify(exitNames.join(','))},[${exitNames.join(',')}])}`;
    if (body.type !== 'statement_block') {
      // Arrow function with an expression body: becomes a block that returns it.
      this.insertOpen(body.startIndex, body, `{${prologue}${this.probeCall(env, 'enter', body, node)}return (`);
      this.expr(body, env);
      this.insertClose(body.endIndex, body, `)${epilogue}}`, 1);
      return;
    }
    const statements = statementChildren(body);
    const skip = directiveEnd(statements);
    const at = skip > 0 ? statements[skip - 1].endIndex : body.startIndex + 1;
    const opening = (skip > 0 ? ';' : '') + prologue + this.probeCall(env, 'enter', body, node);
    this.block(statements, env, skip);
    this.wrapBody(body, at, opening, epilogue);
  }

  /** Frame entry after `{` (or the directives), exit before `}`; one insertion for an empty body `{}`. */
  private wrapBody(body: Node, at: number, opening: string, closing: string): void {
    const end = body.endIndex - 1;
    if (at === end) {
      this.insertOpen(at, body, opening + closing, 1);
      return;
    }
    this.insertOpen(at, body, opening, 1);
    this.insertClose(end, body, closing, 1);
  }

  private classBody(node: Node, env: Env, name: string | null): void {
    this.expr(node.namedChildren.find((c) => c.type === 'class_heritage') ?? null, env);
    const className = name ?? `<anonymous@${line(node)}>`;
    for (const member of node.childForFieldName('body')?.namedChildren ?? []) {
      const memberName = (n: Node | null) => `${className}.${propertyName(n)}`;
      if (member.type === 'method_definition') {
        this.func(member, env.fn, memberName(member.childForFieldName('name')));
      } else if (member.type === 'field_definition') {
        const property = member.childForFieldName('property');
        this.expr(member.childForFieldName('value'), env, memberName(property));
      } else if (member.type === 'class_static_block') {
        this.staticBlock(member, env.fn, `${className}.<static>`);
      }
    }
  }

  private staticBlock(node: Node, parent: FunctionContext, own: string): void {
    const scope = parent.scope === '<module>' ? own : `${parent.scope}.${own}`;
    if (!this.scopes.includes(scope)) this.scopes.push(scope);
    const body = node.childForFieldName('body');
    if (!body) return;
    const fn: FunctionContext = { scope, params: [], varsSeen: [] };
    const env: Env = { fn, visible: [], hidden: new Set() };
    const exitNames = varNames(body);
    const opening = `const __ct$f=__ct$.e(${JSON.stringify(scope)},0);try{` + this.probeCall(env, 'enter', body, node);
    this.block(statementChildren(body), env);
    this.wrapBody(body, body.startIndex + 1, opening, `}finally{__ct$.x(__ct$f,${JSON.stringify(exitNames.join(','))},[${exitNames.join(',')}])}`);
  }
}

function usesModuleSyntax(root: Node): boolean {
  return root.namedChildren.some((c) => c.type === 'import_statement' || c.type === 'export_statement');
}

export async function instrumentJavaScript(source: string): Promise<Instrumented> {
  return withTree('javascript', source, (tree): Instrumented => {
    const root = tree.rootNode;
    const failed = (problem: string): Instrumented => ({
      language: 'javascript', code: null, probes: [], scopes: [], lineMap: null, problem,
    });
    if (root.hasError) return failed(`tree-sitter parse error at line ${firstErrorLine(root)}`);
    if (usesModuleSyntax(root)) return failed('ES module syntax is not supported');
    const instrumenter = new JavaScriptInstrumenter();
    const epilogue = instrumenter.program(root);
    const code = instrumenter.edits.apply(source).text + epilogue;
    return { language: 'javascript', code, probes: instrumenter.probes, scopes: instrumenter.scopes, lineMap: null, problem: null };
  });
}
