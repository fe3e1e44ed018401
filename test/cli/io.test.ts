/** The file formats and the terminal: .npy written and read against numpy, CSV numbers, the progress bar. */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { formatFloat32, formatFloat64, parseCsvNumber, splitCsvLine, csvField } from '../../src/files/csv';
import { npyHeaderBytes, NpyFileWriter, readNpy } from '../../src/files/npy';
import { formatJson } from '../../src/files/sidecar';
import { ProgressBar } from '../../src/cli/progress';
import { numpy, tempDir } from './support';

describe('.npy', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir('npy');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('headers are version 1.0, padded to 64 bytes, ending in a newline', () => {
    for (const shape of [[0], [7], [3, 4, 5], [100000, 3, 1000000]]) {
      const header = npyHeaderBytes('f8', shape);
      expect(header.length % 64).toBe(0);
      expect(header.subarray(0, 8)).toEqual(Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]));
      expect(header.readUInt16LE(8)).toBe(header.length - 10);
      expect(header[header.length - 1]).toBe(0x0a);
      expect(header.toString('latin1')).toContain(`'shape': (${shape.length === 1 ? `${shape[0]},` : shape.join(', ')})`);
    }
  });

  it('slabs written in any order at their offsets make the array numpy reads (f8, f4, i4)', () => {
    const shape = [3, 2, 5];
    const values = Array.from({ length: 30 }, (_, i) => i * 0.5 - 3);
    for (const [kind, Type, dtype] of [['f8', Float64Array, 'float64'], ['f4', Float32Array, 'float32'], ['i4', Int32Array, 'int32']] as const) {
      const file = path.join(dir, `slabs-${kind}.npy`);
      const writer = new NpyFileWriter(file, kind, shape);
      // Runs 3..4 first, then runs 0..2, row by row: the order a later chunk could arrive in.
      for (const [first, end] of [[3, 5], [0, 3]]) {
        for (let row = 0; row < 6; row++) writer.write(row * 5 + first, Type.from(values.slice(row * 5 + first, row * 5 + end)));
      }
      writer.close();
      const read = numpy<{ dtype: string; shape: number[]; values: number[] }>(`a = np.load(sys.argv[1]); print(json.dumps({'dtype': str(a.dtype), 'shape': list(a.shape), 'values': a.ravel().tolist()}))`, [file]);
      expect(read).toEqual({ dtype, shape, values: Array.from(Type.from(values)) });
    }
  });

  it('reads what numpy writes, including big-endian data', () => {
    const file = (name: string) => path.join(dir, name);
    execFileSync('python3', ['-c', `
import numpy as np, sys
np.save(sys.argv[1], np.arange(24, dtype='<f4').reshape(2, 3, 4) / 4)
np.save(sys.argv[2], np.array([3, -1, 7], dtype='<i4'))
np.save(sys.argv[3], np.array([1.5, -2.25], dtype='>f8'))`, file('f4.npy'), file('i4.npy'), file('be.npy')]);
    const f4 = readNpy(file('f4.npy'));
    expect(f4.header).toMatchObject({ kind: 'f4', shape: [2, 3, 4] });
    expect(Array.from(f4.data)).toEqual(Array.from({ length: 24 }, (_, i) => i / 4));
    expect(Array.from(readNpy(file('i4.npy')).data)).toEqual([3, -1, 7]);
    expect(Array.from(readNpy(file('be.npy')).data)).toEqual([1.5, -2.25]);
    fs.writeFileSync(file('text.npy'), 'not numpy');
    expect(() => readNpy(file('text.npy'))).toThrow('not a .npy file cubie can read (no NUMPY magic string)');
  });
});

describe('CSV numbers', () => {
  it('float64 and float32 values print as the shortest text that reads back to the same value', () => {
    const doubles = [0, -0.5, 1 / 3, 1e-300, 6.02214076e23, Math.PI];
    for (const v of doubles) expect(Number(formatFloat64(v))).toBe(v);
    expect(formatFloat64(0.1)).toBe('0.1');
    let seed = 12345;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31 - 0.5) * 10 ** ((seed % 20) - 10);
    for (let i = 0; i < 2000; i++) {
      const v = Math.fround(random());
      const text = formatFloat32(v);
      expect(Math.fround(Number(text))).toBe(v);
      const significant = text.replace(/e.*$/, '').replace(/[-.]/g, '').replace(/^0+/, '').replace(/0+$/, '');
      expect(significant.length).toBeLessThanOrEqual(9);
    }
    expect(formatFloat32(Math.fround(0.1))).toBe('0.1');
    expect([NaN, Infinity, -Infinity].map(formatFloat32)).toEqual(['nan', 'inf', '-inf']);
    expect(['nan', 'inf', '-inf', '2.5'].map(parseCsvNumber)).toEqual([NaN, Infinity, -Infinity, 2.5]);
  });

  it('fields are quoted only when they must be, and split back', () => {
    expect(csvField('x.peaks[3]')).toBe('x.peaks[3]');
    expect(csvField('a,"b"')).toBe('"a,""b"""');
    expect(splitCsvLine('1,"a,""b""",3\r')).toEqual(['1', 'a,"b"', '3']);
  });

  it('sidecar JSON keeps lists of numbers on one line, typed arrays included', () => {
    expect(formatJson({ a: [1, 2], b: { c: Float64Array.of(0.5) }, d: [] })).toBe('{\n  "a": [1,2],\n  "b": {\n    "c": [0.5]\n  },\n  "d": []\n}');
  });
});

describe('progress bar', () => {
  it('renders a bar, percentage, counts, elapsed and remaining time within the terminal width', () => {
    expect(ProgressBar.render(0, 200, 0, 80)).toMatch(/^\[░{10,40}\]   0%  0\/200 runs  0\.0 s$/);
    const half = ProgressBar.render(100, 200, 3000, 80);
    expect(half).toMatch(/^\[█+░+\]  50%  100\/200 runs  3\.0 s, ~3\.0 s left$/);
    expect(half.length).toBeLessThan(80);
    expect(ProgressBar.render(200, 200, 61000, 80)).toMatch(/^\[█+\] 100%  200\/200 runs  1 min 1 s$/);
    expect(ProgressBar.render(5, 10, 1000, 30).length).toBeLessThanOrEqual(29);
  });

  it('redraws in place on a terminal, at most every interval, and erases itself', () => {
    const writes: string[] = [];
    const bar = new ProgressBar({ write: (t: string) => writes.push(t), isTTY: true, columns: 60 }, 10, 'runs', 1e9);
    bar.update(1);
    bar.update(2); // too soon: skipped
    bar.update(10); // the end is always drawn
    bar.clear();
    expect(writes).toHaveLength(3);
    expect(writes[0]).toMatch(/^\r\[.*\]  10%  1\/10 runs.*\x1b\[K$/);
    expect(writes[1]).toMatch(/^\r\[█+\] 100%  10\/10 runs/);
    expect(writes[2]).toBe('\r\x1b[K');
  });
});
