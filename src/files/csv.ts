/**
 * CSV in and out: numbers printed so that they read back to the same value
 * (shortest round-trip text, in the array's own precision), written through
 * a bounded buffer, and read by column for inputs and plots.
 */
import * as fs from 'fs';
import * as readline from 'readline';
import { CubieError } from '../shared/errors';

/** Non-finite values in Python's spelling, which pandas, numpy and R all read. */
function nonFinite(value: number): string {
  return Number.isNaN(value) ? 'nan' : value > 0 ? 'inf' : '-inf';
}

/** The shortest decimal text that reads back to `value` as a double. */
export function formatFloat64(value: number): string {
  return Number.isFinite(value) ? String(value) : nonFinite(value);
}

/**
 * The shortest decimal text that reads back to `value` as a float32: a
 * float32 printed as a double shows noise digits (0.1f is 0.10000000149011612).
 */
export function formatFloat32(value: number): string {
  if (!Number.isFinite(value)) return nonFinite(value);
  for (let digits = 1; digits < 9; digits++) {
    const text = value.toPrecision(digits);
    if (Math.fround(Number(text)) === value) return String(Number(text));
  }
  return String(Number(value.toPrecision(9))); // 9 significant digits always round-trip a float32
}

export function numberFormatter(precision: 'float32' | 'float64'): (value: number) => string {
  return precision === 'float32' ? formatFloat32 : formatFloat64;
}

/** A field quoted when it has to be (RFC 4180). */
export function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Splits one CSV record (no embedded line breaks) into fields. */
export function splitCsvLine(line: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      fields.push(field);
      field = '';
    } else field += c;
  }
  fields.push(field);
  if (fields.length > 0) fields[fields.length - 1] = fields[fields.length - 1].replace(/\r$/, '');
  return fields;
}

const FLUSH_BYTES = 1 << 20;

/**
 * Appends lines to a file through a buffer of about 1 MiB, so that a
 * chunk's text (several times its binary size) never sits in memory whole.
 */
export class CsvFileWriter {
  private fd: number | undefined;
  private pending: string[] = [];
  private pendingLength = 0;

  constructor(readonly file: string, header: string[]) {
    this.fd = fs.openSync(file, 'w');
    this.line(header.map(csvField).join(','));
  }

  line(text: string): void {
    this.pending.push(text);
    this.pendingLength += text.length + 1;
    if (this.pendingLength >= FLUSH_BYTES) this.flush();
  }

  flush(): void {
    if (this.fd === undefined || this.pending.length === 0) return;
    const bytes = Buffer.from(this.pending.join('\n') + '\n', 'utf8');
    let written = 0;
    while (written < bytes.length) written += fs.writeSync(this.fd, bytes, written, bytes.length - written);
    this.pending = [];
    this.pendingLength = 0;
  }

  close(): void {
    this.flush();
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }
}

/** Parses a CSV number as written above (and the common spellings of NaN and infinities). */
export function parseCsvNumber(text: string): number {
  const t = text.trim();
  const lower = t.toLowerCase();
  if (lower === 'nan') return NaN;
  if (lower === 'inf' || lower === '+inf' || lower === 'infinity') return Infinity;
  if (lower === '-inf' || lower === '-infinity') return -Infinity;
  return t === '' ? NaN : Number(t);
}

/** One column of a small CSV file with a header row, as numbers. */
export function readCsvColumn(file: string, column: string | undefined, where: string): Float64Array {
  const text = fs.readFileSync(file, 'utf8');
  const lines = text.split('\n').filter((l) => l.trim().length > 0);
  if (lines.length < 2) throw new CubieError('INVALID_INPUT', `${where}: ${file} needs a header row and at least one row of values`, { where });
  const header = splitCsvLine(lines[0]).map((h) => h.trim());
  let index: number;
  if (column === undefined) {
    if (header.length !== 1) {
      throw new CubieError('INVALID_INPUT', `${where}: ${file} has ${header.length} columns (${header.join(', ')}); name one with 'column'`, { where });
    }
    index = 0;
  } else {
    index = header.indexOf(column);
    if (index < 0) throw new CubieError('INVALID_INPUT', `${where}: ${file} has no column '${column}' (columns: ${header.join(', ')})`, { where });
  }
  const out = new Float64Array(lines.length - 1);
  for (let r = 1; r < lines.length; r++) {
    const field = splitCsvLine(lines[r])[index];
    const value = field === undefined ? NaN : Number(field.trim());
    if (field === undefined || field.trim() === '' || !Number.isFinite(value)) {
      throw new CubieError('INVALID_INPUT', `${where}: ${file} line ${r + 1}, column '${header[index]}': expected a finite number, got ${JSON.stringify(field ?? '')}`, { where });
    }
    out[r - 1] = value;
  }
  return out;
}

/** Streams a CSV file's records (header first) without holding the file in memory. */
export async function* csvRecords(file: string): AsyncGenerator<string[]> {
  const lines = readline.createInterface({ input: fs.createReadStream(file, 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.length > 0) yield splitCsvLine(line);
  }
}
