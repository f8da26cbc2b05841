/**
 * Parquet rows, one row group at a time: memory stays bounded by the
 * largest row group, not the file.
 *
 * Backed by hyparquet (pure JavaScript, MIT). It decodes int64 as bigint
 * (the reader turns those into numbers) and supports the codecs pandas and
 * pyarrow write by default (snappy, uncompressed); files written with
 * zstd/gzip/brotli fail with hyparquet's own message naming the codec.
 *
 * Every row of a Parquet file has every column, so a column with no value
 * in a row comes back as null; such columns are left out of the row, as the
 * key is absent from a JSON record (`'inputs' in row` means the same thing
 * for both inputs, e.g. a TRL extra column only some rows fill).
 */
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import type { ParquetRowSource } from './types.js';

export const hyparquetRows: ParquetRowSource = {
  async *rows(path: string) {
    const file = await asyncBufferFromFile(path);
    const metadata = await parquetMetadataAsync(file);
    let start = 0;
    for (const group of metadata.row_groups) {
      const end = start + Number(group.num_rows);
      const rows = await parquetReadObjects({ file, metadata, rowStart: start, rowEnd: end });
      for (const row of rows) yield withoutNulls(row);
      start = end;
    }
  },
};

function withoutNulls(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).filter(([, value]) => value !== null && value !== undefined));
}

/** Parquet files are recognised by their extension. */
export function isParquetPath(path: string): boolean {
  return /\.parquet$/i.test(path);
}
