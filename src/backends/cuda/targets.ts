/**
 * What NVRTC builds for a device. A CUBIN for the device's exact architecture
 * when NVRTC knows it (no driver JIT, no PTX version to mismatch); else PTX
 * for the newest architecture NVRTC knows below the device, which the driver
 * compiles; and should the driver refuse that PTX (it is newer than the
 * driver), a CUBIN for the newest architecture of the device's major version
 * NVRTC knows, which the device runs as it is (a CUBIN for sm_XY runs on
 * sm_XZ, Z >= Y).
 */
import { CubieError } from '../../shared/errors';

export type CudaImageKind = 'cubin' | 'ptx';

export interface CudaTarget {
  kind: CudaImageKind;
  /** 80 for sm_80 / compute_80. */
  arch: number;
}

export function targetName(target: CudaTarget): string {
  return `${target.kind === 'cubin' ? 'sm' : 'compute'}_${target.arch}`;
}

/** 'sm_80' -> CUBIN for 80, 'compute_90' -> PTX for 90; undefined when it is neither. */
export function parseTarget(name: string): CudaTarget | undefined {
  const match = /^(sm|compute)_(\d{2,3})$/.exec(name.trim());
  if (!match) return undefined;
  return { kind: match[1] === 'sm' ? 'cubin' : 'ptx', arch: Number(match[2]) };
}

export function archOf(major: number, minor: number): number {
  return major * 10 + minor;
}

/** The NVRTC versions by major: what each supports, for messages. */
function archList(archs: readonly number[]): string {
  return archs.length === 0 ? 'none' : `sm_${Math.min(...archs)} to sm_${Math.max(...archs)}`;
}

/** Why NVRTC cannot build for an architecture, or undefined when it can. */
export function unsupportedArchMessage(arch: number, nvrtcVersion: string, nvrtcArchs: readonly number[]): string | undefined {
  if (nvrtcArchs.includes(arch)) return undefined;
  if (nvrtcArchs.some((a) => a <= arch)) return undefined;
  const major = Number(nvrtcVersion.split('.')[0]);
  const advice =
    major >= 13 && arch < 75
      ? 'CUDA 13 dropped offline compilation for sm_72 and older: use NVRTC 12 for this GPU ' +
        "(`pip install nvidia-cuda-nvrtc-cu12` or a CUDA 12 toolkit; point CUBIE_NVRTC_PATH at its libnvrtc.so.12), or backend 'cpu'"
      : "use an NVRTC that supports it (CUBIE_NVRTC_PATH), or backend 'cpu'";
  return `NVRTC ${nvrtcVersion} cannot compile for sm_${arch}: it builds for ${archList(nvrtcArchs)} only; ${advice}`;
}

/** The targets to try for a device, in order (see the module comment). */
export function targetsFor(major: number, minor: number, nvrtcVersion: string, nvrtcArchs: readonly number[]): CudaTarget[] {
  const arch = archOf(major, minor);
  if (nvrtcArchs.includes(arch)) return [{ kind: 'cubin', arch }];
  const below = nvrtcArchs.filter((a) => a <= arch);
  if (below.length === 0) {
    throw new CubieError('NVRTC_UNAVAILABLE', unsupportedArchMessage(arch, nvrtcVersion, nvrtcArchs)!, {
      where: `sm_${arch}`,
      arch: `sm_${arch}`,
      nvrtcVersion,
      nvrtcArchs: [...nvrtcArchs],
    });
  }
  const targets: CudaTarget[] = [{ kind: 'ptx', arch: Math.max(...below) }];
  const sameMajor = below.filter((a) => Math.floor(a / 10) === major);
  if (sameMajor.length > 0) targets.push({ kind: 'cubin', arch: Math.max(...sameMajor) });
  return targets;
}

/**
 * Why nothing this NVRTC builds can load on this driver, or undefined: a
 * driver loads CUBINs and PTX from CUDA versions of its own major or older,
 * so NVRTC 13 output needs a driver for CUDA 13 (a forward-compatibility
 * package raises the version the driver reports, and is taken as it says).
 */
export function driverTooOldMessage(driverVersion: number, nvrtcVersion: string): string | undefined {
  const driverMajor = Math.floor(driverVersion / 1000);
  const nvrtcMajor = Number(nvrtcVersion.split('.')[0]);
  if (!(driverMajor < nvrtcMajor)) return undefined;
  return (
    `The CUDA driver supports CUDA ${driverVersionText(driverVersion)}, older than NVRTC ${nvrtcVersion}: it cannot load the CUBIN or PTX that NVRTC ${nvrtcVersion} builds. ` +
    `Update the NVIDIA driver to one for CUDA ${nvrtcMajor}, or point CUBIE_NVRTC_PATH at an NVRTC ${driverMajor}.x ` +
    `(a CUDA ${driverMajor} toolkit, or \`pip install nvidia-cuda-nvrtc-cu${driverMajor}\`), or use backend 'cpu'`
  );
}

/** "12.4" from the driver's 12040. */
export function driverVersionText(version: number): string {
  return `${Math.floor(version / 1000)}.${Math.floor((version % 1000) / 10)}`;
}
