import { hostCompilerStatus } from './cpu/host-compiler';
import { driverStatus } from '../native/driver';
import { nvrtcStatus } from '../native/nvrtc';

export interface Probe {
  nvrtc: { available: boolean; version?: string; path?: string; searched: string[]; error?: string };
  driver: { available: boolean; version?: string; path?: string; error?: string };
  devices: Array<{ index: number; name: string; computeCapability: string; memoryBytes: number }>;
  hostCompiler: { available: boolean; path?: string; version?: string; error?: string };
}

/** What this machine offers cubie. Absence is reported, never thrown. */
export async function probe(): Promise<Probe> {
  const [driver, host] = await Promise.all([driverStatus(), hostCompilerStatus()]);
  const nvrtc = nvrtcStatus();
  return {
    nvrtc: {
      available: nvrtc.available,
      version: nvrtc.version,
      path: nvrtc.path,
      searched: nvrtc.searched,
      error: nvrtc.error,
    },
    driver: { available: driver.available, version: driver.version, path: driver.path, error: driver.error },
    devices: driver.devices,
    hostCompiler: { available: host.available, path: host.path, version: host.version, error: host.error },
  };
}
