import type { Language } from '../model/trace.js';
import type { LineOrigin } from './edits.js';

/**
 * Where a probe sits and what it means:
 * - `after`: runs after a statement completed (the statement's line);
 * - `enter`: runs when a block is entered (the header's line: loop variables,
 *   function parameters, `with ... as`, `except ... as`, `case` captures);
 * - `before`: runs before a statement that leaves the block
 *   (`return`, `raise`, `break`, `continue`, `throw`), so its line is recorded.
 */
export type ProbeKind = 'after' | 'enter' | 'before';

export interface Probe {
  id: number;
  /** Line in the original source (1-based). */
  line: number;
  /** Qualified scope name: `<module>`, `f`, `Solution.twoSum`, `outer.inner`. */
  scope: string;
  kind: ProbeKind;
}

export interface Instrumented {
  language: Language;
  /** The rewritten program (null when instrumentation was impossible, see `problem`). */
  code: string | null;
  probes: Probe[];
  /** Scope names that get a finals record when their frames exit. */
  scopes: string[];
  /**
   * For Python, which may insert lines: new line -> original line and
   * inserted column ranges, so the runtime can give every compiled node its
   * original position. JavaScript instrumentation keeps lines in place
   * and leaves this null.
   */
  lineMap: LineOrigin[] | null;
  /** Why the program could not be instrumented (e.g. tree-sitter parse error at line N). */
  problem: string | null;
}
