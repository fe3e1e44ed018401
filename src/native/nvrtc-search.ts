import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** NVRTC majors cubie knows, newest first. */
export const NVRTC_MAJORS = [13, 12, 11];
const LIBRARY_NAMES = [...NVRTC_MAJORS.map((m) => `libnvrtc.so.${m}`), 'libnvrtc.so'];
/** Where NVIDIA's pip wheels put libnvrtc inside site-packages (CUDA 13, then 12 and 11). */
const WHEEL_LAYOUTS = ['nvidia/cu13/lib', 'nvidia/cuda_nvrtc/lib', 'nvidia/cu12/lib'];

export interface NvrtcCandidates {
  /** Every folder (or explicit file) looked in, in order, for the "where we looked" message. */
  searched: string[];
  /** The subset worth handing to dlopen: existing files, then bare sonames for the system loader. */
  loadable: string[];
}

function librariesIn(dir: string): string[] {
  return LIBRARY_NAMES.map((name) => path.join(dir, name));
}

let pythonSitePackages: string[] | undefined;

/** Site-packages folders of the python3 on PATH; asked once per process, only when needed. */
function pythonSiteDirs(): string[] {
  if (pythonSitePackages !== undefined) return pythonSitePackages;
  pythonSitePackages = [];
  const script =
    'import site,sys\n' +
    'dirs=list(getattr(site,"getsitepackages",lambda:[])())\n' +
    'dirs.append(site.getusersitepackages())\n' +
    'print("\\n".join(dirs))';
  for (const python of ['python3', 'python']) {
    try {
      const out = execFileSync(python, ['-c', script], { encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'ignore'] });
      pythonSitePackages = out.split('\n').map((s) => s.trim()).filter((s) => s.length > 0);
      break;
    } catch {
      // no such interpreter: try the next
    }
  }
  return pythonSitePackages;
}

function environmentSiteDirs(env: NodeJS.ProcessEnv): string[] {
  const dirs: string[] = [];
  for (const prefix of [env.VIRTUAL_ENV, env.CONDA_PREFIX]) {
    if (!prefix) continue;
    const lib = path.join(prefix, 'lib');
    let entries: string[] = [];
    try {
      entries = fs.readdirSync(lib).filter((e) => e.startsWith('python'));
    } catch {
      continue;
    }
    for (const e of entries) dirs.push(path.join(lib, e, 'site-packages'));
  }
  return dirs;
}

/**
 * The NVRTC search order: CUBIE_NVRTC_PATH (a file or a folder), CUDA_PATH and
 * CUDA_HOME, /usr/local/cuda, NVIDIA's pip wheels in Python's site-packages,
 * then the system loader path.
 */
export function nvrtcCandidates(env: NodeJS.ProcessEnv = process.env, askPython = true): NvrtcCandidates {
  const searched: string[] = [];
  const files: string[] = [];
  const lookIn = (dir: string): void => {
    searched.push(dir);
    files.push(...librariesIn(dir));
  };
  const explicit = env.CUBIE_NVRTC_PATH;
  if (explicit) {
    let isDir = false;
    try {
      isDir = fs.statSync(explicit).isDirectory();
    } catch {
      // a path that does not exist is still reported as searched
    }
    if (isDir) lookIn(explicit);
    else {
      searched.push(explicit);
      files.push(explicit);
    }
  }
  for (const root of [env.CUDA_PATH, env.CUDA_HOME, '/usr/local/cuda']) {
    if (!root) continue;
    lookIn(path.join(root, 'lib64'));
    lookIn(path.join(root, 'lib'));
  }
  const siteDirs = [...environmentSiteDirs(env)];
  const home = os.homedir();
  for (const base of [path.join(home, '.local', 'lib'), '/usr/local/lib', '/usr/lib']) {
    let entries: string[] = [];
    try {
      entries = fs.readdirSync(base).filter((e) => /^python3(\.\d+)?$/.test(e));
    } catch {
      continue;
    }
    for (const e of entries) siteDirs.push(path.join(base, e, 'site-packages'), path.join(base, e, 'dist-packages'));
  }
  const existingBeforePython = files.some((p) => fs.existsSync(p)) ||
    siteDirs.some((d) => WHEEL_LAYOUTS.some((w) => fs.existsSync(path.join(d, w))));
  if (askPython && !existingBeforePython) siteDirs.push(...pythonSiteDirs());
  for (const dir of [...new Set(siteDirs)]) {
    for (const layout of WHEEL_LAYOUTS) lookIn(path.join(dir, layout));
  }
  const existing = [...new Set(files)].filter((p) => {
    try {
      return fs.statSync(p).isFile();
    } catch {
      return false;
    }
  });
  return {
    searched: [...new Set(searched), `system loader path (${LIBRARY_NAMES.join(', ')})`],
    loadable: [...existing, ...LIBRARY_NAMES],
  };
}
