/**
 * Collect text insertions, then apply them once (ast-grep style): the
 * original text is never re-printed, so comments, formatting and everything
 * between the insertions survive byte for byte.
 *
 * Offsets are JavaScript string indices (UTF-16 code units), which is what
 * web-tree-sitter reports for string input.
 */
export interface Insertion {
  /** Offset in the original text. */
  at: number;
  text: string;
  /**
   * Tie-break for insertions at the same offset: lower first. Lets a
   * closing `finally:` land before an opening probe of the next block.
   */
  order?: number;
}

export interface Applied {
  text: string;
  /**
   * For each line of the new text (index 0 = line 1): the original line it
   * comes from, and where on that line inserted text begins and how long it
   * is (UTF-8 byte columns of the NEW line), so a consumer can map columns back.
   */
  lines: LineOrigin[];
}

export interface LineOrigin {
  line: number;
  /** [column in new line (UTF-8 bytes), inserted length (bytes)] pairs, in order. */
  inserted: [number, number][];
}

export class EditList {
  private readonly items: Insertion[] = [];

  insert(at: number, text: string, order = 0): void {
    this.items.push({ at, text, order });
  }

  get size(): number {
    return this.items.length;
  }

  apply(source: string): Applied {
    const sorted = this.items
      .map((item, seq) => ({ ...item, seq }))
      .sort((a, b) => a.at - b.at || (a.order ?? 0) - (b.order ?? 0) || a.seq - b.seq);
    let text = '';
    const lines: LineOrigin[] = [{ line: 1, inserted: [] }];
    let origLine = 1;
    let col = 0; // UTF-8 byte column in the current new line
    const appendOriginal = (chunk: string) => {
      for (const part of chunk.split(/(\n)/)) {
        if (part === '\n') {
          origLine++;
          col = 0;
          lines.push({ line: origLine, inserted: [] });
        } else {
          col += Buffer.byteLength(part);
        }
      }
      text += chunk;
    };
    const appendInserted = (chunk: string) => {
      // Inserted lines map to the original line they were inserted on.
      const parts = chunk.split('\n');
      parts.forEach((part, i) => {
        if (i > 0) {
          col = 0;
          lines.push({ line: origLine, inserted: [] });
        }
        if (part.length > 0) {
          lines[lines.length - 1].inserted.push([col, Buffer.byteLength(part)]);
          col += Buffer.byteLength(part);
        }
      });
      text += chunk;
    };
    let pos = 0;
    for (const item of sorted) {
      appendOriginal(source.slice(pos, item.at));
      pos = item.at;
      appendInserted(item.text);
    }
    appendOriginal(source.slice(pos));
    return { text, lines };
  }
}
