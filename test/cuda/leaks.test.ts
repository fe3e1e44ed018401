/**
 * The addon's CUDA paths under valgrind (test/cuda/leak-check.js: several
 * devices and chunks, out-of-memory retries, a kernel failure, a lost
 * device, cancellation, a refused PTX, all through the driver test double):
 * no definite leaks, no invalid reads or writes, and the double's own books
 * show nothing left behind. The script runs once plainly (filling the kernel
 * cache, so no NVRTC compile runs under valgrind), then under valgrind.
 * It runs the built package (dist/), as `npm run test:leaks` does.
 * Skipped where valgrind is not installed.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { itNvrtc } from '../support/nvrtc';

const root = path.join(__dirname, '..', '..');
const script = path.join(root, 'test', 'cuda', 'leak-check.js');
const valgrind = ['/usr/bin/valgrind', '/usr/local/bin/valgrind'].find((p) => fs.existsSync(p));
const itValgrind: jest.It = valgrind && fs.existsSync(path.join(root, 'dist', 'index.js')) ? itNvrtc : it.skip;

describe('CUDA backend under valgrind', () => {
  itValgrind('leak-check.js: every path through the driver double, 0 bytes definitely lost and no memory errors', () => {
    const plain = spawnSync(process.execPath, [script], { cwd: root, encoding: 'utf8' });
    expect({ status: plain.status, stderr: plain.status === 0 ? '' : plain.stderr }).toEqual({ status: 0, stderr: '' });
    const checked = spawnSync(
      valgrind!,
      [
        '--leak-check=full',
        '--errors-for-leak-kinds=definite',
        '--show-leak-kinds=definite',
        '--num-callers=30',
        `--suppressions=${path.join(root, 'test', 'cuda', 'valgrind.supp')}`,
        '--error-exitcode=3',
        process.execPath,
        script,
      ],
      { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20 },
    );
    const summary = /definitely lost: ([\d,]+) bytes/.exec(checked.stderr)?.[1];
    expect({ status: checked.status, definitelyLost: summary, tail: checked.status === 0 ? '' : checked.stderr.slice(-4000) }).toEqual({
      status: 0,
      definitelyLost: '0',
      tail: '',
    });
  });
});
