/** Names and scopes for the JavaScript instrumenter (javascript.ts): what each declaration binds and what a probe may safely read. */
import type { Node } from 'web-tree-sitter';

export const FUNCTION_TYPES = new Set([
  'function_declaration', 'generator_function_declaration', 'function_expression', 'function',
  'generator_function', 'arrow_function', 'method_definition',
]);
export const CLASS_TYPES = new Set(['class_declaration', 'class']);
/** A function (or the program) being instrumented. */
export interface FunctionContext {
  scope: string;
  params: string[];
  /** `var` names declared textually before the current point. */
  varsSeen: string[];
}

/** What is safely readable at a point of a block. */
export interface Env {
  fn: FunctionContext;
  /** Lexical names (let/const/class/function/catch/loop) initialised here. */
  visible: string[];
  /** Lexical names declared by an enclosing block of this function and not yet initialised. */
  hidden: Set<string>;
}

export const line = (node: Node) => node.startPosition.row + 1;
export const unique = (names: string[]) => [...new Set(names)];

/** Names bound by a pattern, declarator list or parameter list. */
export function boundNames(node: Node | null): string[] {
  if (!node) return [];
  switch (node.type) {
    case 'identifier':
    case 'shorthand_property_identifier_pattern':
      return [node.text];
    case 'variable_declarator':
      return boundNames(node.childForFieldName('name'));
    case 'pair_pattern':
      return boundNames(node.childForFieldName('value'));
    case 'assignment_pattern':
    case 'object_assignment_pattern':
      return boundNames(node.childForFieldName('left'));
    case 'object_pattern':
    case 'array_pattern':
    case 'rest_pattern':
    case 'formal_parameters':
    case 'variable_declaration':
    case 'lexical_declaration':
      return node.namedChildren.flatMap((c) => boundNames(c));
    default:
      return [];
  }
}

export function parameterNames(fn: Node): string[] {
  return boundNames(fn.childForFieldName('parameters') ?? fn.childForFieldName('parameter'));
}

const VAR_SEARCH = ['variable_declaration', 'for_in_statement', ...FUNCTION_TYPES, ...CLASS_TYPES];

/**
 * `var` names of a function body (not of nested functions): always
 * initialised. Found by tree-sitter's own search (in wasm), which hands back
 * only the declarations and the nested functions and classes to skip, in
 * document order: far cheaper than visiting every node from JavaScript.
 */
export function varNames(body: Node): string[] {
  const names: string[] = [];
  let skipUntil = -1; // end of the nested function or class being skipped
  for (const node of body.descendantsOfType(VAR_SEARCH)) {
    if (node.startIndex < skipUntil || node.id === body.id) continue;
    if (FUNCTION_TYPES.has(node.type) || CLASS_TYPES.has(node.type)) {
      skipUntil = node.endIndex;
    } else if (node.type === 'variable_declaration') {
      names.push(...boundNames(node));
    } else if (node.childForFieldName('kind')?.text === 'var') {
      names.push(...boundNames(node.childForFieldName('left')));
    }
  }
  return unique(names);
}

/** let/const/class names declared directly in a statement list (TDZ until their statement completes). */
export function lexicalNames(statements: Node[]): string[] {
  return statements.flatMap((s) => {
    if (s.type === 'lexical_declaration') return boundNames(s);
    if (s.type === 'class_declaration') return [s.childForFieldName('name')?.text ?? ''].filter(Boolean);
    return [];
  });
}

export const isDirective = (s: Node) => s.type === 'expression_statement' && s.namedChildren.length === 1 && s.namedChildren[0].type === 'string';

export function directiveEnd(statements: Node[]): number {
  let i = 0;
  while (i < statements.length && isDirective(statements[i])) i++;
  return i;
}

export function unwrapLabels(node: Node): Node {
  let n = node;
  while (n.type === 'labeled_statement') n = n.childForFieldName('body') ?? n;
  return n;
}

export function statementChildren(block: Node): Node[] {
  return block.namedChildren.filter((c) => c.type !== 'comment' && c.type !== 'hash_bang_line');
}

/** A copy of env in which names are declared (a loop's or catch clause's own scope). */
export function scopeWith(env: Env, names: string[]): Env {
  const scoped: Env = { fn: env.fn, visible: [...env.visible], hidden: new Set(env.hidden) };
  declare(scoped, names);
  return scoped;
}

/** Names whose declaration has completed: readable from here on. */
export function declare(env: Env, names: string[]): void {
  for (const n of names) {
    env.hidden.delete(n);
    env.visible.push(n);
  }
}

export function propertyName(node: Node | null): string {
  if (!node) return '<computed>';
  if (node.type === 'string') return node.text.slice(1, -1);
  if (node.type === 'computed_property_name') return '<computed>';
  return node.text;
}

export function qualify(hint: string | null, name: string): string {
  return hint ? `${hint}.${name}` : name;
}
