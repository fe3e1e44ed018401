/**
 * The on-disk entry format. Every entry checks itself: a fixed header says
 * what it is (magic, format version, kind, the full key) and how long and
 * what digest its payload has, so a truncated, corrupt, foreign or old file
 * is recognised before a byte of it is used.
 *
 *   offset  size  field
 *        0     8  magic "CUBIEKRN"
 *        8     4  format version (uint32 LE)
 *       12     4  header size in bytes (uint32 LE), 96 in format 1
 *       16     8  artifact kind, ASCII, NUL-padded ("so", "ptx", "cubin")
 *       24    32  the cache key (raw SHA-256)
 *       56     8  payload length (uint64 LE)
 *       64    32  SHA-256 of the payload
 *       96     …  payload
 */
import { createHash } from 'crypto';
import type { ArtifactKind } from './artifact';

/** Bump when the layout or meaning of an entry changes; it is part of the key too. */
export const CACHE_FORMAT_VERSION = 1;

const MAGIC = Buffer.from('CUBIEKRN', 'ascii');
export const HEADER_BYTES = 96;

export type EntryProblem = 'truncated' | 'corrupt' | 'foreign' | 'old-format';

export type DecodedEntry = { payload: Buffer } | { problem: EntryProblem; detail: string };

function kindField(kind: ArtifactKind): Buffer {
  const field = Buffer.alloc(8);
  field.write(kind, 'ascii');
  return field;
}

/** The header for a payload; written before it, in the same file. */
export function encodeHeader(key: string, kind: ArtifactKind, payload: Buffer): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  MAGIC.copy(header, 0);
  header.writeUInt32LE(CACHE_FORMAT_VERSION, 8);
  header.writeUInt32LE(HEADER_BYTES, 12);
  kindField(kind).copy(header, 16);
  Buffer.from(key, 'hex').copy(header, 24);
  header.writeBigUInt64LE(BigInt(payload.length), 56);
  createHash('sha256').update(payload).digest().copy(header, 64);
  return header;
}

/** A whole entry as one buffer (tests and tools; the store writes header and payload separately). */
export function encodeEntry(key: string, kind: ArtifactKind, payload: Buffer): Buffer {
  return Buffer.concat([encodeHeader(key, kind, payload), payload]);
}

/**
 * Checks an entry's bytes against the key and kind it was looked up by and
 * returns its payload (a view, not a copy), or what is wrong with it.
 */
export function decodeEntry(bytes: Buffer, key: string, kind: ArtifactKind): DecodedEntry {
  if (bytes.length < MAGIC.length || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) {
    return bytes.length < MAGIC.length && MAGIC.subarray(0, bytes.length).equals(bytes)
      ? { problem: 'truncated', detail: `only ${bytes.length} bytes` }
      : { problem: 'foreign', detail: 'not a cubie cache entry (bad magic)' };
  }
  if (bytes.length < 12) return { problem: 'truncated', detail: `only ${bytes.length} bytes` };
  const version = bytes.readUInt32LE(8);
  if (version !== CACHE_FORMAT_VERSION) {
    return { problem: 'old-format', detail: `format ${version}, this cubie reads format ${CACHE_FORMAT_VERSION}` };
  }
  if (bytes.length < HEADER_BYTES) return { problem: 'truncated', detail: `header cut short at ${bytes.length} bytes` };
  if (bytes.readUInt32LE(12) !== HEADER_BYTES) return { problem: 'corrupt', detail: `header size ${bytes.readUInt32LE(12)}` };
  if (!bytes.subarray(16, 24).equals(kindField(kind))) {
    return { problem: 'foreign', detail: `holds a '${bytes.subarray(16, 24).toString('ascii').replace(/\0+$/, '')}' artifact, not '${kind}'` };
  }
  if (bytes.subarray(24, 56).toString('hex') !== key) {
    return { problem: 'foreign', detail: `written for key ${bytes.subarray(24, 56).toString('hex').slice(0, 16)}…` };
  }
  const declared = bytes.readBigUInt64LE(56);
  const actual = BigInt(bytes.length - HEADER_BYTES);
  if (actual < declared) return { problem: 'truncated', detail: `payload has ${actual} of ${declared} bytes` };
  if (actual > declared) return { problem: 'corrupt', detail: `${actual - declared} bytes after the payload` };
  const payload = bytes.subarray(HEADER_BYTES);
  if (!createHash('sha256').update(payload).digest().equals(bytes.subarray(64, 96))) {
    return { problem: 'corrupt', detail: 'payload checksum mismatch' };
  }
  return { payload };
}
