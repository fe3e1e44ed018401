/**
 * What the cache stores: compiled kernels of one of three kinds. The store is
 * generic over the kind, so the CUDA backend (PTX, CUBIN) and the CPU backend
 * (shared libraries) share one cache and one set of rules.
 */
export type ArtifactKind = 'so' | 'ptx' | 'cubin';

export const ARTIFACT_KINDS: readonly ArtifactKind[] = ['so', 'ptx', 'cubin'];
