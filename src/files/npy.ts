/**
 * NumPy's .npy format, version 1.0, written and read without numpy: a magic
 * string, a little Python-literal header dict, then the raw C-order array.
 * Result arrays are written into a pre-sized file at each slab's offset, so
 * a batch streams to disk chunk by chunk with memory bounded by the chunk.
 *
 * https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
 */
import * as fs from 'fs';
import * as os from 'os';
import { CubieError } from '../shared/errors';

const MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]); // \x93NUMPY
/** numpy aligns the data to 64 bytes (since 1.14); readers accept any multiple of 16. */
const ALIGN = 64;
/** A v1.0 header length is a uint16. */
const MAX_V1_HEADER = 0xffff;

export type NpyKind = 'f8' | 'f4' | 'i4';
export type NpyArray = Float64Array | Float32Array | Int32Array;

export interface NpyHeader {
  /** numpy's dtype string: byte order then kind, e.g. '<f8'. */
  descr: string;
  kind: NpyKind;
  littleEndian: boolean;
  shape: number[];
  /** Bytes before the data: magic, version, length field and header dict. */
  dataOffset: number;
  itemSize: number;
}

const ITEM_SIZE: Record<NpyKind, number> = { f8: 8, f4: 4, i4: 4 };

/** The host's byte order, which is the order typed arrays use and so the order written. */
const HOST_ORDER = os.endianness() === 'LE' ? '<' : '>';

export function npyKindOf(array: NpyArray): NpyKind {
  if (array instanceof Float64Array) return 'f8';
  if (array instanceof Float32Array) return 'f4';
  return 'i4';
}

export function npyKindForPrecision(precision: 'float32' | 'float64'): NpyKind {
  return precision === 'float32' ? 'f4' : 'f8';
}

/** numpy's dtype string for arrays written by this host: '<f8' on x86 and ARM. */
export function npyDescr(kind: NpyKind): string {
  return `${HOST_ORDER}${kind}`;
}

/** Header bytes (magic to padding) for a C-order array of the host's byte order. */
export function npyHeaderBytes(kind: NpyKind, shape: readonly number[]): Buffer {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const dict = `{'descr': '${npyDescr(kind)}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const unpadded = MAGIC.length + 2 + 2 + dict.length + 1; // + version, length field, newline
  const total = Math.ceil(unpadded / ALIGN) * ALIGN;
  const headerLength = total - MAGIC.length - 4;
  if (headerLength > MAX_V1_HEADER) throw new CubieError('INVALID_INPUT', `array shape [${shape.join(', ')}] needs a header longer than .npy v1.0 allows`);
  const out = Buffer.alloc(total, 0x20); // spaces pad the dict
  MAGIC.copy(out, 0);
  out[6] = 1; // major version
  out[7] = 0; // minor version
  out.writeUInt16LE(headerLength, 8);
  out.write(dict, 10, 'latin1');
  out[total - 1] = 0x0a;
  return out;
}

function badNpy(file: string, why: string): never {
  throw new CubieError('INVALID_INPUT', `${file}: not a .npy file cubie can read (${why})`, { where: file });
}

/** Reads and checks a .npy header (versions 1.0 to 3.0; C order; f8, f4 or i4). */
export function readNpyHeader(fd: number, file: string): NpyHeader {
  const prefix = Buffer.alloc(12);
  const got = fs.readSync(fd, prefix, 0, 12, 0);
  if (got < 10 || !prefix.subarray(0, 6).equals(MAGIC)) badNpy(file, 'no NUMPY magic string');
  const major = prefix[6];
  let lengthBytes: number;
  if (major === 1) lengthBytes = 2;
  else if (major === 2 || major === 3) lengthBytes = 4;
  else badNpy(file, `format version ${major}.${prefix[7]}`);
  const headerLength = lengthBytes === 2 ? prefix.readUInt16LE(8) : prefix.readUInt32LE(8);
  const dataOffset = 8 + lengthBytes + headerLength;
  const dictBytes = Buffer.alloc(headerLength);
  fs.readSync(fd, dictBytes, 0, headerLength, 8 + lengthBytes);
  const dict = dictBytes.toString(major === 3 ? 'utf8' : 'latin1');
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(dict)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(dict)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(dict)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) badNpy(file, `header ${JSON.stringify(dict.trim())}`);
  if (fortran === 'True') badNpy(file, 'Fortran order');
  const match = /^([<>|=]?)([fi][48])$/.exec(descr);
  if (match === null || !(match[2] in ITEM_SIZE)) badNpy(file, `dtype '${descr}' (cubie reads f8, f4 and i4)`);
  const kind = match[2] as NpyKind;
  const order = match[1] === '=' || match[1] === '' ? HOST_ORDER : match[1];
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map(Number);
  if (shape.some((n) => !Number.isSafeInteger(n) || n < 0)) badNpy(file, `shape (${shapeText})`);
  return { descr, kind, littleEndian: order === '<', shape, dataOffset, itemSize: ITEM_SIZE[kind] };
}

export function npyElementCount(shape: readonly number[]): number {
  return shape.reduce((n, d) => n * d, 1);
}

function arrayFromBytes(kind: NpyKind, bytes: Buffer, littleEndian: boolean): NpyArray {
  if (littleEndian !== (HOST_ORDER === '<')) {
    if (kind === 'f8') bytes.swap64();
    else bytes.swap32();
  }
  // Copy into a fresh, aligned buffer: a Buffer's byteOffset may not be a multiple of the item size.
  const aligned = new ArrayBuffer(bytes.length);
  new Uint8Array(aligned).set(bytes);
  if (kind === 'f8') return new Float64Array(aligned);
  if (kind === 'f4') return new Float32Array(aligned);
  return new Int32Array(aligned);
}

/** Opens a .npy file, reads its header, and hands both to `use`; closes the file however `use` ends. */
export function withNpy<T>(file: string, use: (fd: number, header: NpyHeader) => T): T {
  const fd = fs.openSync(file, 'r');
  try {
    return use(fd, readNpyHeader(fd, file));
  } finally {
    fs.closeSync(fd);
  }
}

/** A whole (small) .npy file: for inputs given as `{ file: x.npy }` and for tests. */
export function readNpy(file: string): { header: NpyHeader; data: NpyArray } {
  return withNpy(file, (fd, header) => {
    const bytes = Buffer.alloc(npyElementCount(header.shape) * header.itemSize);
    const got = fs.readSync(fd, bytes, 0, bytes.length, header.dataOffset);
    if (got !== bytes.length) badNpy(file, `data ends after ${got} of ${bytes.length} bytes`);
    return { header, data: arrayFromBytes(header.kind, bytes, header.littleEndian) };
  });
}

/** Reads `count` elements starting at element `index` (C order) of an open .npy file. */
export function readNpyElements(fd: number, header: NpyHeader, index: number, count: number): NpyArray {
  const bytes = Buffer.alloc(count * header.itemSize);
  fs.readSync(fd, bytes, 0, bytes.length, header.dataOffset + index * header.itemSize);
  return arrayFromBytes(header.kind, bytes, header.littleEndian);
}

/**
 * A .npy file of known shape, pre-sized at open and filled by positional
 * writes of contiguous element ranges, in any order. Synchronous writes on
 * purpose: the CLI has nothing else to do while a chunk is written, and a
 * sync write skips a thread-pool round trip per slab (thousands per chunk).
 */
export class NpyFileWriter {
  readonly header: Buffer;
  readonly descr: string;
  private fd: number | undefined;

  constructor(readonly file: string, readonly kind: NpyKind, readonly shape: readonly number[]) {
    this.header = npyHeaderBytes(kind, shape);
    this.descr = npyDescr(kind);
    this.fd = fs.openSync(file, 'w');
    fs.writeSync(this.fd, this.header, 0, this.header.length, 0);
    // Sparse until written: the size is right even if a reader looks early.
    fs.ftruncateSync(this.fd, this.header.length + npyElementCount(shape) * ITEM_SIZE[kind]);
  }

  /** Writes `values` at C-order element index `index`. */
  write(index: number, values: NpyArray): void {
    if (this.fd === undefined) throw new CubieError('INTERNAL', `${this.file} is closed`);
    if (npyKindOf(values) !== this.kind) throw new CubieError('INTERNAL', `${this.file}: writing ${npyKindOf(values)} into a ${this.kind} array`);
    const bytes = Buffer.from(values.buffer, values.byteOffset, values.byteLength);
    let written = 0;
    const position = this.header.length + index * ITEM_SIZE[this.kind];
    while (written < bytes.length) written += fs.writeSync(this.fd, bytes, written, bytes.length - written, position + written);
  }

  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }
}
