/** The host compiler's version, part of the key, is remembered on disk by the compiler binary's identity. */
import * as fs from 'fs';
import * as path from 'path';
import type { KeyContext } from '../../src/cache/key';
import { tmpRoot } from './support';

/** hostKeyContext is memoized per process: each call here loads build.ts afresh, as a new process would. */
function freshContext(root: string): Promise<KeyContext> {
  let context!: Promise<KeyContext>;
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    context = require('../../src/backends/cpu/build').hostKeyContext(root);
  });
  return context;
}

function memoFiles(root: string): string[] {
  return fs.readdirSync(root).filter((f) => f.startsWith('.compiler-'));
}

describe('compiler version memo', () => {
  it('is written once the root exists, used by the next process, and ignored when someone else wrote it', async () => {
    const root = tmpRoot();
    const probed = await freshContext(root);
    expect(memoFiles(root)).toHaveLength(1);
    const memo = path.join(root, memoFiles(root)[0]);
    const version = fs.readFileSync(memo, 'utf8');
    expect(version).toMatch(/\d+\.\d+/);
    expect(fs.statSync(memo).mode & 0o777).toBe(0o600);

    // The next process reads the memo instead of running the compiler: a planted version shows it.
    fs.writeFileSync(memo, 'planted 0.0');
    expect((await freshContext(root)).digest).not.toBe(probed.digest);

    // ... but only a memo this user owns and nobody else can write counts.
    fs.chownSync(memo, 65534, 65534);
    expect((await freshContext(root)).digest).toBe(probed.digest);
    fs.chownSync(memo, process.getuid!(), process.getgid!());
    fs.chmodSync(memo, 0o666);
    expect((await freshContext(root)).digest).toBe(probed.digest);
  });

  it('is not written where there is no cache root yet', async () => {
    const root = path.join(tmpRoot(), 'absent');
    await freshContext(root);
    expect(fs.existsSync(root)).toBe(false);
  });
});
