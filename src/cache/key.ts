/**
 * The cache key. This module alone decides what names a compiled kernel:
 * everything that can change the binary goes in (the complete generated
 * source, the content of every header it can include, the compile options,
 * the target: GPU architecture or host compiler identity and version, the
 * NVRTC version, the entry format version and cubie's version), and nothing
 * else does, so equal keys mean interchangeable binaries.
 *
 * Most of that is fixed for a process: a KeyContext hashes it once, and the
 * key of a source is then one hash of two digests, memoized by the source's
 * digest.
 */
import { createHash } from 'crypto';
import type { ArtifactKind } from './artifact';
import { CACHE_FORMAT_VERSION } from './entry';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const CUBIE_VERSION: string = require('../../package.json').version;

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export interface KeyTarget {
  kind: ArtifactKind;
  /** Every header the source can include, by include name, with its content. */
  headers: Readonly<Record<string, string>>;
  /** Compile options, in the order they are passed. */
  options: readonly string[];
  /** What the code is built for: `{ arch: 'sm_90' }`, or `{ compiler, compilerVersion }` for the host. */
  target: Readonly<Record<string, string | number>>;
  /** NVRTC's version, for CUDA artifacts. */
  nvrtcVersion?: string;
}

function sortedRecord<T>(record: Readonly<Record<string, T>>): Array<[string, T]> {
  return Object.keys(record)
    .sort()
    .map((name) => [name, record[name]]);
}

/** Bounds the memo; a process that generates more distinct sources than this just rehashes. */
const MEMO_LIMIT = 4096;

export class KeyContext {
  /** SHA-256 over everything but the source. */
  readonly digest: string;
  readonly kind: ArtifactKind;
  private readonly keys = new Map<string, string>();

  constructor(target: KeyTarget) {
    this.kind = target.kind;
    const canonical = {
      scheme: 'cubie-kernel-key/1',
      format: CACHE_FORMAT_VERSION,
      cubie: CUBIE_VERSION,
      kind: target.kind,
      options: [...target.options],
      target: sortedRecord(target.target),
      nvrtc: target.nvrtcVersion ?? null,
      headers: sortedRecord(target.headers).map(([name, text]) => [name, sha256Hex(text)]),
    };
    this.digest = sha256Hex(JSON.stringify(canonical));
  }

  /** The key of one generated source; pass its SHA-256 when the caller already has it. */
  keyFor(source: string, sourceDigest?: string): string {
    const digest = sourceDigest ?? sha256Hex(source);
    let key = this.keys.get(digest);
    if (key === undefined) {
      key = sha256Hex(`${this.digest}\0${digest}`);
      if (this.keys.size >= MEMO_LIMIT) this.keys.clear();
      this.keys.set(digest, key);
    }
    return key;
  }
}

export function cubieVersion(): string {
  return CUBIE_VERSION;
}
