/**
 * Which devices a solve uses and whether CUDA can run here at all. Devices
 * are asked of the driver on each call (microseconds), never remembered.
 */
import { CubieError } from '../../shared/errors';
import { driverStatus } from '../../native/driver';
import { nvrtcStatus } from '../../native/nvrtc';
import { nativeAddon } from '../../native/addon';
import type { NativeCudaDevice } from '../../native/surface';
import { driverTooOldMessage, driverVersionText, targetsFor } from './targets';

export type DevicesOption = number[] | 'all' | undefined;

/** The driver, loaded, with the functions the backend needs; else a DRIVER_UNAVAILABLE error. */
export async function loadedDriver(): Promise<{ version?: string }> {
  const driver = await driverStatus();
  if (!driver.available) {
    throw new CubieError('DRIVER_UNAVAILABLE', `The CUDA backend needs the NVIDIA driver (libcuda.so.1): ${driver.error ?? 'not found'}`, {
      where: 'libcuda',
    });
  }
  if (driver.backendError) throw new CubieError('DRIVER_UNAVAILABLE', driver.backendError, { where: 'libcuda' });
  return { version: driver.version };
}

export async function listDevices(): Promise<NativeCudaDevice[]> {
  await loadedDriver();
  return nativeAddon().cudaDevices();
}

/** The devices a `devices` option names (default: device 0; 'all': every device), checked. */
export function pickDevices(option: DevicesOption, devices: NativeCudaDevice[]): NativeCudaDevice[] {
  if (devices.length === 0) throw new CubieError('DRIVER_UNAVAILABLE', 'The CUDA driver reports no device', { where: 'devices' });
  if (option === undefined) return [devices[0]];
  if (option === 'all') return devices;
  if (!Array.isArray(option) || option.length === 0) {
    throw new CubieError('INVALID_OPTION', `Option 'devices' must be 'all' or a non-empty array of device indices (got ${JSON.stringify(option)})`, {
      where: 'devices',
    });
  }
  const seen = new Set<number>();
  return option.map((index) => {
    if (!Number.isInteger(index) || index < 0 || index >= devices.length) {
      throw new CubieError(
        'INVALID_OPTION',
        `Option 'devices' names device ${JSON.stringify(index)}, but this machine has ${devices.length} device(s): ${devices.map((d) => `${d.index} (${d.name})`).join(', ')}`,
        { where: 'devices' },
      );
    }
    if (seen.has(index)) throw new CubieError('INVALID_OPTION', `Option 'devices' names device ${index} twice`, { where: 'devices' });
    seen.add(index);
    return devices[index];
  });
}

/** A DRIVER_UNAVAILABLE error when the driver is too old for what this NVRTC builds (targets.ts). */
export function checkDriverAgainstNvrtc(nvrtcVersion: string): void {
  const driverVersion = nativeAddon().cudaDriverVersion();
  const message = driverTooOldMessage(driverVersion, nvrtcVersion);
  if (message !== undefined) {
    throw new CubieError('DRIVER_UNAVAILABLE', message, { where: 'libcuda', driverVersion: driverVersionText(driverVersion), nvrtcVersion });
  }
}

/** Why the CUDA backend cannot run the given devices here, or undefined when it can. */
export async function cudaUnavailableReason(option?: DevicesOption): Promise<string | undefined> {
  try {
    const devices = pickDevices(option, await listDevices());
    const nvrtc = nvrtcStatus();
    if (!nvrtc.available || nvrtc.version === undefined) return nvrtc.error ?? 'NVRTC is unavailable';
    checkDriverAgainstNvrtc(nvrtc.version);
    for (const device of devices) targetsFor(device.major, device.minor, nvrtc.version, nvrtc.archs ?? []);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

/** Whether backend 'auto' should pick CUDA: a driver, the devices, and an NVRTC that can build for them. */
export async function cudaUsable(option?: DevicesOption): Promise<boolean> {
  return (await cudaUnavailableReason(option)) === undefined;
}
