/**
 * cubie inside a packed Electron app. A copy of the package (what npm
 * installs: its `files`, with the addon install built) goes into an app with
 * the example's solve.js, and the app is packed with @electron/asar the way
 * electron-builder packs it, unpacking what examples/electron/package.json's
 * `asarUnpack` names. Electron itself cannot be downloaded here, so its
 * transparent reading of app.asar is played by a folder named `app.asar`
 * holding the archive's packed files only: cubie's kernel headers and addon
 * exist nowhere but in app.asar.unpacked, so a solve that compiles and runs
 * proves cubie took them from there. A preload plays Electron's main process
 * (process.versions.electron, the `electron` module's app.getPath) for the
 * default cache folder.
 */
import * as asar from '@electron/asar';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { electronUserData, platformCacheRoot } from '../../src/cache/layout';
import { insideAsar, unpackedPath } from '../../src/shared/asar';

const root = path.join(__dirname, '..', '..');
const example = path.join(root, 'examples', 'electron');
const fixtures = path.join(__dirname, 'fixtures');

describe('paths inside an asar archive', () => {
  it('maps app.asar to app.asar.unpacked when the unpacked path exists', () => {
    const exists = (p: string) => p.includes('.asar.unpacked');
    expect(unpackedPath('/opt/App/resources/app.asar/node_modules/cubie/kernel', exists)).toBe('/opt/App/resources/app.asar.unpacked/node_modules/cubie/kernel');
    expect(unpackedPath('C:\\App\\resources\\app.asar\\node_modules\\cubie', exists)).toBe('C:\\App\\resources\\app.asar.unpacked\\node_modules\\cubie');
    expect(unpackedPath('/opt/App/resources/app.asar/node_modules/cubie/kernel', () => false)).toBe('/opt/App/resources/app.asar/node_modules/cubie/kernel');
    expect(unpackedPath('/home/u/project/node_modules/cubie/kernel', () => true)).toBe('/home/u/project/node_modules/cubie/kernel');
    expect(unpackedPath('/x/app.asar.unpacked/node_modules/cubie', () => true)).toBe('/x/app.asar.unpacked/node_modules/cubie');
  });

  it('knows a path inside an archive from one beside it', () => {
    expect(insideAsar('/opt/App/resources/app.asar/node_modules/cubie')).toBe(true);
    expect(insideAsar('/opt/App/resources/app.asar')).toBe(true);
    expect(insideAsar('/opt/App/resources/app.asar.unpacked/node_modules/cubie')).toBe(false);
    expect(insideAsar('/home/u/my.asarfile/cubie')).toBe(false);
  });
});

describe('the default cache folder in Electron', () => {
  const electron = { app: { getPath: (name: string) => (name === 'userData' ? '/home/u/.config/My App' : '') } };

  it("is <userData>/cubie-cache in Electron's main process", () => {
    expect(electronUserData({ ...process.versions, electron: '45.6.1' }, () => electron)).toBe('/home/u/.config/My App');
    expect(platformCacheRoot({}, 'linux', '/home/u/.config/My App')).toBe(path.join('/home/u/.config/My App', 'cubie-cache'));
  });

  it('is the platform folder in plain Node and where Electron has no app (renderer, utility process)', () => {
    const { electron: _none, ...node } = process.versions;
    expect(electronUserData(node as NodeJS.ProcessVersions, () => electron)).toBeUndefined();
    expect(electronUserData({ ...process.versions, electron: '45.6.1' }, () => ({ ipcRenderer: {} }))).toBeUndefined();
    expect(electronUserData({ ...process.versions, electron: '45.6.1' }, () => '/path/to/electron/binary')).toBeUndefined();
    expect(
      electronUserData({ ...process.versions, electron: '45.6.1' }, () => {
        throw new Error('no electron');
      }),
    ).toBeUndefined();
    expect(platformCacheRoot({ XDG_CACHE_HOME: '/x/cache' }, 'linux', undefined)).toBe('/x/cache/cubie');
  });
});

/** The package as npm installs it: package.json, its `files`, and build/Release/cubie.node from the install. */
function copyPackage(dest: string): void {
  const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { files: string[] };
  fs.mkdirSync(dest, { recursive: true });
  for (const entry of ['package.json', ...manifest.files, 'build/Release/cubie.node']) {
    const from = path.join(root, entry);
    if (fs.existsSync(from)) fs.cpSync(from, path.join(dest, entry), { recursive: true });
  }
}

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true }).filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name))).sort();
}

/** Removes the folders left empty under dir (dir itself stays). */
function removeEmptyFolders(dir: string): void {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (!e.isDirectory()) continue;
    const sub = path.join(dir, e.name);
    removeEmptyFolders(sub);
    if (fs.readdirSync(sub).length === 0) fs.rmdirSync(sub);
  }
}

/** x(t) of x'' + 2 zeta omega x' + omega^2 x = 0, x(0) = 1, x'(0) = 0, underdamped. */
function oscillator(zeta: number, t: number): number {
  const omega = 2 * Math.PI;
  const wd = omega * Math.sqrt(1 - zeta * zeta);
  return Math.exp(-zeta * omega * t) * (Math.cos(wd * t) + ((zeta * omega) / wd) * Math.sin(wd * t));
}

interface AppReport {
  cubieDir: string;
  packageRoot: string;
  includeDir: string;
  cacheRoot: string;
  nativeModules: string[];
  zeta: number[];
  time: number[];
  x: number[][];
  status: number[];
  kernel: { backend: string; cache: string };
  progress: Array<{ done: number; total: number }>;
  example: {
    window: Array<{ file: string; preload: string; contextIsolation: boolean }>;
    sent: Array<{ channel: string; payload: { done: number; total: number } }>;
    answer: { time: number[]; series: Array<{ zeta: number; x: number[] }>; failed: number; kernel: { backend: string; cache: string } };
  };
}

describe('a packed Electron app', () => {
  const distBuilt = fs.existsSync(path.join(root, 'dist', 'shared', 'asar.js')) && fs.existsSync(path.join(root, 'build', 'Release', 'cubie.node'));
  if (!distBuilt) throw new Error('this test packs the built package: run `npm run build:ts` (and build the addon) first');

  const exampleBuild = (JSON.parse(fs.readFileSync(path.join(example, 'package.json'), 'utf8')) as { build: { files: string[]; asarUnpack: string[] } }).build;
  const asarUnpack = exampleBuild.asarUnpack;
  let work: string;
  let resources: string;
  let userData: string;
  const cubieIn = (folder: string) => path.join(resources, folder, 'node_modules', 'cubie');

  beforeAll(async () => {
    work = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'cubie-electron-')));
    // The app as electron-builder stages it: the app's files and its node_modules.
    // cubie's own dependencies are plain JavaScript, which Electron reads from
    // app.asar like any file; here they come from NODE_PATH.
    const app = path.join(work, 'app');
    fs.mkdirSync(app);
    fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'cubie-electron-test', version: '0.0.0', main: 'test-entry.js' }));
    for (const file of exampleBuild.files) fs.copyFileSync(path.join(example, file), path.join(app, file));
    fs.copyFileSync(path.join(fixtures, 'app-entry.js'), path.join(app, 'test-entry.js'));
    copyPackage(path.join(app, 'node_modules', 'cubie'));

    // Packed as electron-builder packs it: one archive, its asarUnpack globs as one pattern.
    const packed = path.join(work, 'packed');
    fs.mkdirSync(packed);
    await asar.createPackageWithOptions(app, path.join(packed, 'app.asar'), { unpack: `{${asarUnpack.join(',')}}` });

    // What Electron shows the app: the archive's files at resources/app.asar/
    // (here without the unpacked ones, which only app.asar.unpacked/ holds on disk).
    resources = path.join(work, 'resources');
    fs.mkdirSync(resources);
    asar.extractAll(path.join(packed, 'app.asar'), path.join(resources, 'app.asar'));
    for (const file of asar.listPackage(path.join(packed, 'app.asar'), { isPack: false })) {
      const entry = asar.statFile(path.join(packed, 'app.asar'), file.replace(/^[\\/]/, ''), false) as { unpacked?: boolean; files?: unknown };
      if (entry.unpacked && !entry.files) fs.rmSync(path.join(resources, 'app.asar', file));
    }
    removeEmptyFolders(path.join(resources, 'app.asar'));
    fs.renameSync(path.join(packed, 'app.asar.unpacked'), path.join(resources, 'app.asar.unpacked'));
    userData = path.join(work, 'userData');
  }, 120_000);

  afterAll(() => {
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  function runApp(): { status: number | null; stdout: string; stderr: string } {
    const env: NodeJS.ProcessEnv = { ...process.env, NODE_PATH: path.join(root, 'node_modules'), FAKE_ELECTRON_USER_DATA: userData };
    delete env.CUBIE_CACHE_DIR;
    env.CUBIE_BACKEND = 'cpu'; // the example's main.js solves with backend 'auto'
    const run = spawnSync(process.execPath, ['-r', path.join(fixtures, 'fake-electron.js'), path.join(resources, 'app.asar', 'test-entry.js')], {
      cwd: work,
      env,
      encoding: 'utf8',
      maxBuffer: 64 * 2 ** 20,
    });
    if (run.error) throw run.error;
    return run;
  }

  it("unpacks exactly cubie's addon and kernel headers, as the example's asarUnpack says", () => {
    const archive = path.join(work, 'packed', 'app.asar');
    const unpacked = filesUnder(path.join(resources, 'app.asar.unpacked'));
    const headers = fs.readdirSync(path.join(root, 'kernel', 'cubie')).map((h) => path.join('node_modules', 'cubie', 'kernel', 'cubie', h));
    expect(unpacked).toEqual([path.join('node_modules', 'cubie', 'build', 'Release', 'cubie.node'), ...headers].sort());
    for (const file of exampleBuild.files) expect(asar.statFile(archive, file)).not.toHaveProperty('unpacked', true);
    expect(fs.existsSync(archive)).toBe(true);
    expect(asar.statFile(archive, 'node_modules/cubie/dist/index.js')).not.toHaveProperty('unpacked', true);
    expect(asar.statFile(archive, 'node_modules/cubie/kernel/cubie/engine.h')).toHaveProperty('unpacked', true);
    expect(asar.statFile(archive, 'node_modules/cubie/build/Release/cubie.node')).toHaveProperty('unpacked', true);
    // The stand-in for app.asar has cubie's JavaScript but neither its kernel/ nor its build/.
    expect(fs.existsSync(path.join(cubieIn('app.asar'), 'dist', 'index.js'))).toBe(true);
    expect(fs.existsSync(path.join(cubieIn('app.asar'), 'kernel'))).toBe(false);
    expect(fs.existsSync(path.join(cubieIn('app.asar'), 'build'))).toBe(false);
  });

  it('solves from the packed app: addon and headers from app.asar.unpacked, cache in the user-data folder', () => {
    const run = runApp();
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout) as AppReport;

    expect(report.cubieDir).toBe(cubieIn('app.asar'));
    expect(report.packageRoot).toBe(cubieIn('app.asar.unpacked'));
    expect(report.includeDir).toBe(path.join(cubieIn('app.asar.unpacked'), 'kernel'));
    expect(report.nativeModules).toEqual([path.join(cubieIn('app.asar.unpacked'), 'build', 'Release', 'cubie.node')]);
    expect(report.cacheRoot).toBe(path.join(userData, 'cubie-cache'));
    expect(fs.readdirSync(path.join(userData, 'cubie-cache', 'oscillator')).filter((f) => f.endsWith('.so'))).toHaveLength(1);

    expect(report.kernel).toMatchObject({ backend: 'cpu', cache: 'compiled' });
    expect(report.status).toEqual(new Array(16).fill(0));
    expect(report.progress.length).toBeGreaterThan(0);
    expect(report.progress[report.progress.length - 1]).toEqual({ done: 16, total: 16 });
    expect(report.time).toHaveLength(301);
    let worst = 0;
    report.zeta.forEach((zeta, run) => report.time.forEach((t, i) => (worst = Math.max(worst, Math.abs(report.x[run][i] - oscillator(zeta, t))))));
    expect(worst).toBeLessThan(1e-6);

    // The example's main.js, from the archive: its window, and its 'solve' handler answering over IPC.
    expect(report.example.window).toEqual([{ file: path.join(resources, 'app.asar', 'index.html'), preload: path.join(resources, 'app.asar', 'preload.js'), contextIsolation: true }]);
    const { sent, answer } = report.example;
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.every((m) => m.channel === 'progress')).toBe(true);
    expect(sent[sent.length - 1].payload).toEqual({ done: 300, total: 300 });
    expect(answer.failed).toBe(0);
    expect(answer.kernel).toMatchObject({ backend: 'cpu' });
    expect(answer.time).toEqual(report.time);
    expect(answer.series.map((s) => s.zeta)).toEqual([0, 43, 85, 128, 171, 214, 256, 299].map((run) => 0.05 + (0.85 * run) / 299));
    for (const { zeta, x } of answer.series) x.forEach((v, i) => expect(Math.abs(v - oscillator(zeta, answer.time[i]))).toBeLessThan(1e-6));

    // A second launch finds the kernel in the user-data folder.
    const again = JSON.parse(runApp().stdout) as AppReport;
    expect(again.kernel.cache).toBe('disk');
  });

  it('fails, naming asarUnpack, when the headers were left in the archive', () => {
    const kernel = path.join(cubieIn('app.asar.unpacked'), 'kernel');
    const aside = path.join(work, 'kernel-aside');
    fs.renameSync(kernel, aside);
    // What Electron would still show inside the archive: the headers, readable but not compilable.
    fs.cpSync(aside, path.join(cubieIn('app.asar'), 'kernel'), { recursive: true });
    fs.rmSync(path.join(userData, 'cubie-cache'), { recursive: true, force: true });
    try {
      const run = runApp();
      expect(run.status).toBe(1);
      expect(run.stderr).toContain('[HOST_COMPILE_FAILED]');
      expect(run.stderr).toContain('asarUnpack "**/node_modules/cubie/kernel/**"');
    } finally {
      fs.rmSync(path.join(cubieIn('app.asar'), 'kernel'), { recursive: true, force: true });
      fs.renameSync(aside, kernel);
    }
  });
});
