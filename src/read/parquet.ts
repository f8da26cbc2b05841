/**
 * Parquet rows, one row group at a time (memory stays bounded by the
 * largest row group, not the file).
 *
 * Backed by hyparquet (pure JavaScript, no dependencies, MIT). It is loaded
 * lazily so that JSONL users never need it, and so this module compiles
 * before the dependency is added; without it, reading a .parquet file is a
 * clear InputError naming the package to install.
 */
import { InputError } from '../errors.js';
import type { ParquetRowSource } from './types.js';

interface HyparquetModule {
  asyncBufferFromFile(path: string): Promise<unknown>;
  parquetMetadataAsync(file: unknown): Promise<{ row_groups: { num_rows: bigint | number }[] }>;
  parquetReadObjects(options: { file: unknown; metadata?: unknown; rowStart?: number; rowEnd?: number }): Promise<Record<string, unknown>[]>;
}

const PACKAGE = 'hyparquet';

async function loadHyparquet(): Promise<HyparquetModule> {
  try {
    // A variable specifier keeps TypeScript from requiring the package at compile time.
    const specifier: string = PACKAGE;
    return (await import(specifier)) as HyparquetModule;
  } catch {
    throw new InputError(`reading Parquet needs the npm package "${PACKAGE}" (npm install ${PACKAGE}), or convert the file to JSONL first`);
  }
}

export const hyparquetRows: ParquetRowSource = {
  async *rows(path: string) {
    const lib = await loadHyparquet();
    const file = await lib.asyncBufferFromFile(path);
    const metadata = await lib.parquetMetadataAsync(file);
    let start = 0;
    for (const group of metadata.row_groups) {
      const end = start + Number(group.num_rows);
      const rows = await lib.parquetReadObjects({ file, metadata, rowStart: start, rowEnd: end });
      yield* rows;
      start = end;
    }
  },
};

/** Parquet files start and end with the magic bytes `PAR1`. */
export function isParquetPath(path: string): boolean {
  return /\.parquet$/i.test(path);
}
