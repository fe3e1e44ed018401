/** The key names everything that can change the binary, and nothing else. */
import { CACHE_FORMAT_VERSION } from '../../src/cache/entry';
import { KeyContext, KeyTarget, sha256Hex } from '../../src/cache/key';

const base: KeyTarget = {
  kind: 'so',
  headers: { 'cubie/a.h': 'int a;', 'cubie/b.h': 'int b;' },
  options: ['-O3', '-std=c++17'],
  target: { compiler: '/usr/bin/c++', compilerVersion: 'c++ 12.2.0' },
};
const source = 'extern "C" int cubie_abi(int*);';

function keyWith(change: Partial<KeyTarget>, text = source): string {
  return new KeyContext({ ...base, ...change }).keyFor(text);
}

describe('cache key', () => {
  it('is a hex SHA-256, equal for equal inputs across contexts, whatever the header order', () => {
    const key = keyWith({});
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(keyWith({ headers: { 'cubie/b.h': 'int b;', 'cubie/a.h': 'int a;' } })).toBe(key);
    expect(new KeyContext(base).keyFor(source, sha256Hex(source))).toBe(key);
  });

  it.each<[string, Partial<KeyTarget>, string]>([
    ['one character of source', {}, `${source} `],
    ['a header\'s content', { headers: { ...base.headers, 'cubie/a.h': 'int a; ' } }, source],
    ['a new header', { headers: { ...base.headers, 'cubie/c.h': '' } }, source],
    ['a header\'s name', { headers: { 'cubie/a2.h': 'int a;', 'cubie/b.h': 'int b;' } }, source],
    ['a compile option', { options: ['-O2', '-std=c++17'] }, source],
    ['the order of compile options', { options: ['-std=c++17', '-O3'] }, source],
    ['the compiler version', { target: { ...base.target, compilerVersion: 'c++ 13.1.0' } }, source],
    ['the compiler path', { target: { ...base.target, compiler: '/opt/bin/c++' } }, source],
    ['the GPU architecture', { target: { ...base.target, arch: 'sm_90' } }, source],
    ['the NVRTC version', { nvrtcVersion: '12.4' }, source],
    ['the artifact kind', { kind: 'ptx' }, source],
  ])('changes with %s', (_what, change, text) => {
    expect(keyWith(change, text)).not.toBe(keyWith({}));
  });

  it('covers the format and cubie versions (in the context digest)', () => {
    // Both are constants of this build; the canonical record they enter is what the digest hashes.
    const ctx = new KeyContext(base);
    const canonical = JSON.stringify({
      scheme: 'cubie-kernel-key/1',
      format: CACHE_FORMAT_VERSION,
      cubie: require('../../package.json').version,
      kind: 'so',
      options: base.options,
      target: [['compiler', '/usr/bin/c++'], ['compilerVersion', 'c++ 12.2.0']],
      nvrtc: null,
      headers: [['cubie/a.h', sha256Hex('int a;')], ['cubie/b.h', sha256Hex('int b;')]],
    });
    expect(ctx.digest).toBe(sha256Hex(canonical));
  });

  it('memoizes per source digest: a repeated key costs one map lookup', () => {
    const ctx = new KeyContext(base);
    const digest = sha256Hex(source);
    const first = ctx.keyFor(source, digest);
    // With the digest given, the (wrong) text is not even looked at: the digest is the memo key.
    expect(ctx.keyFor('ignored', digest)).toBe(first);
  });
});
