import type { Language } from '../model/trace.js';
import { UsageError } from '../errors.js';

/**
 * Choose the language of a program: an explicit choice wins, then the file
 * extension, then a look at the content (JavaScript has tell-tale tokens
 * that Python never has at the start of a statement).
 */
export function detectLanguage(source: string, fileName: string | null, explicit?: string): Language {
  if (explicit !== undefined) {
    if (explicit === 'python' || explicit === 'py') return 'python';
    if (explicit === 'javascript' || explicit === 'js') return 'javascript';
    throw new UsageError(`unknown language "${explicit}" (use python or javascript)`);
  }
  if (fileName && /\.(py|pyw)$/i.test(fileName)) return 'python';
  if (fileName && /\.(js|cjs|mjs)$/i.test(fileName)) return 'javascript';
  return looksLikeJavaScript(source) ? 'javascript' : 'python';
}

export function looksLikeJavaScript(source: string): boolean {
  return /(^|\n)\s*(const|let|var|function)\s|console\.log\(|=>|require\(|;\s*$/m.test(source) &&
    !/(^|\n)\s*def\s+\w+\s*\(|(^|\n)\s*import\s+\w+\s*$/m.test(source);
}
