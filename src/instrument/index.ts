import type { Language } from '../model/trace.js';
import type { Instrumented } from './types.js';
import { instrumentPython } from './python.js';
import { instrumentJavaScript } from './javascript.js';

export function instrument(language: Language, source: string): Promise<Instrumented> {
  return language === 'python' ? instrumentPython(source) : instrumentJavaScript(source);
}
