#include "cuda_api.h"

#include <mutex>

namespace cubie {
namespace {

std::mutex g_mutex;
CudaState g_state;
DynLib g_lib;

bool resolveProbe(DynLib& lib, CudaApi* api, std::string* error) {
  return lib.symbol("cuInit", &api->Init, error) &&
         lib.symbol("cuDriverGetVersion", &api->DriverGetVersion, error) &&
         lib.symbol("cuGetErrorName", &api->GetErrorName, error) &&
         lib.symbol("cuGetErrorString", &api->GetErrorString, error) &&
         lib.symbol("cuDeviceGetCount", &api->DeviceGetCount, error) &&
         lib.symbol("cuDeviceGet", &api->DeviceGet, error) &&
         lib.symbol("cuDeviceGetName", &api->DeviceGetName, error) &&
         lib.symbol("cuDeviceGetAttribute", &api->DeviceGetAttribute, error) &&
         lib.symbol("cuDeviceTotalMem_v2", &api->DeviceTotalMem, error);
}

bool resolveBackend(DynLib& lib, CudaApi* api, std::string* error) {
  bool ok = lib.symbol("cuDevicePrimaryCtxRetain", &api->DevicePrimaryCtxRetain, error) &&
            lib.symbol("cuDevicePrimaryCtxRelease_v2", &api->DevicePrimaryCtxRelease, error) &&
            lib.symbol("cuDevicePrimaryCtxReset_v2", &api->DevicePrimaryCtxReset, error) &&
            lib.symbol("cuCtxPushCurrent_v2", &api->CtxPushCurrent, error) &&
            lib.symbol("cuCtxPopCurrent_v2", &api->CtxPopCurrent, error) &&
            lib.symbol("cuModuleLoadDataEx", &api->ModuleLoadDataEx, error) &&
            lib.symbol("cuModuleUnload", &api->ModuleUnload, error) &&
            lib.symbol("cuModuleGetFunction", &api->ModuleGetFunction, error) &&
            lib.symbol("cuFuncGetAttribute", &api->FuncGetAttribute, error) &&
            lib.symbol("cuOccupancyMaxPotentialBlockSize", &api->OccupancyMaxPotentialBlockSize, error) &&
            lib.symbol("cuOccupancyMaxActiveBlocksPerMultiprocessor", &api->OccupancyMaxActiveBlocksPerMultiprocessor, error) &&
            lib.symbol("cuMemGetInfo_v2", &api->MemGetInfo, error) &&
            lib.symbol("cuMemAlloc_v2", &api->MemAlloc, error) &&
            lib.symbol("cuMemFree_v2", &api->MemFree, error) &&
            lib.symbol("cuMemHostAlloc", &api->MemHostAlloc, error) &&
            lib.symbol("cuMemFreeHost", &api->MemFreeHost, error) &&
            lib.symbol("cuMemcpyHtoD_v2", &api->MemcpyHtoD, error) &&
            lib.symbol("cuMemcpyHtoDAsync_v2", &api->MemcpyHtoDAsync, error) &&
            lib.symbol("cuMemcpyDtoHAsync_v2", &api->MemcpyDtoHAsync, error) &&
            lib.symbol("cuMemsetD8Async", &api->MemsetD8Async, error) &&
            lib.symbol("cuStreamCreate", &api->StreamCreate, error) &&
            lib.symbol("cuStreamDestroy_v2", &api->StreamDestroy, error) &&
            lib.symbol("cuStreamSynchronize", &api->StreamSynchronize, error) &&
            lib.symbol("cuEventCreate", &api->EventCreate, error) &&
            lib.symbol("cuEventRecord", &api->EventRecord, error) &&
            lib.symbol("cuEventSynchronize", &api->EventSynchronize, error) &&
            lib.symbol("cuEventElapsedTime", &api->EventElapsedTime, error) &&
            lib.symbol("cuEventDestroy_v2", &api->EventDestroy, error) &&
            lib.symbol("cuLaunchKernel", &api->LaunchKernel, error);
  // Present from CUDA 12.4 on; older drivers launch without the check.
  if (!lib.symbol("cuFuncGetParamInfo", &api->FuncGetParamInfo, nullptr)) api->FuncGetParamInfo = nullptr;
  return ok;
}

bool tryCandidate(const std::string& candidate, std::string* error) {
  if (!g_lib.open(candidate, false, error)) return false;
  CudaApi api{};
  if (!resolveProbe(g_lib, &api, error)) {
    g_lib.close();
    return false;
  }
  int version = 0;
  // The version is readable before cuInit, so probe() can name the driver
  // even when initialisation fails (no device, a container without /dev/nvidia*).
  if (api.DriverGetVersion(&version) == 0) g_state.version = version;
  CUresult rc = api.Init(0);
  if (rc != 0) {
    *error = "cuInit: " + cudaErrorText(api, rc);
    g_lib.close();
    return false;
  }
  std::vector<CudaDeviceInfo> devices;
  if (!queryDevices(api, &devices, error)) {
    g_lib.close();
    return false;
  }
  std::string backendError;
  if (!resolveBackend(g_lib, &api, &backendError)) {
    g_state.backendError = "this CUDA driver (" + std::to_string(version / 1000) + "." +
                           std::to_string((version % 1000) / 10) + ") lacks a function cubie needs (" +
                           backendError + "); update the NVIDIA driver";
  }
  std::string resolved = g_lib.resolvedPath();
  g_state.path = resolved.empty() ? candidate : resolved;
  g_state.devices = devices;
  g_state.api = api;
  return true;
}

}  // namespace

bool queryDevices(const CudaApi& api, std::vector<CudaDeviceInfo>* devices, std::string* error) {
  int count = 0;
  CUresult rc = api.DeviceGetCount(&count);
  if (rc != 0) {
    *error = "cuDeviceGetCount: " + cudaErrorText(api, rc);
    return false;
  }
  devices->clear();
  for (int i = 0; i < count; ++i) {
    CUdevice device = 0;
    CudaDeviceInfo info;
    info.index = i;
    char name[256] = {0};
    if ((rc = api.DeviceGet(&device, i)) != 0 ||
        (rc = api.DeviceGetName(name, sizeof(name) - 1, device)) != 0 ||
        (rc = api.DeviceGetAttribute(&info.major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, device)) != 0 ||
        (rc = api.DeviceGetAttribute(&info.minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, device)) != 0 ||
        (rc = api.DeviceGetAttribute(&info.multiprocessors, CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, device)) != 0 ||
        (rc = api.DeviceGetAttribute(&info.maxThreadsPerMultiprocessor,
                                     CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_MULTIPROCESSOR, device)) != 0 ||
        (rc = api.DeviceGetAttribute(&info.maxThreadsPerBlock, CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK, device)) != 0 ||
        (rc = api.DeviceTotalMem(&info.memoryBytes, device)) != 0) {
      *error = "querying device " + std::to_string(i) + ": " + cudaErrorText(api, rc);
      return false;
    }
    info.name = name;
    devices->push_back(info);
  }
  return true;
}

std::string cudaErrorName(const CudaApi& api, CUresult rc) {
  const char* name = nullptr;
  if (api.GetErrorName == nullptr || api.GetErrorName(rc, &name) != 0 || name == nullptr) {
    return "CUresult " + std::to_string(rc);
  }
  return name;
}

std::string cudaErrorString(const CudaApi& api, CUresult rc) {
  const char* text = nullptr;
  if (api.GetErrorString == nullptr || api.GetErrorString(rc, &text) != 0 || text == nullptr) return "";
  return text;
}

std::string cudaErrorText(const CudaApi& api, CUresult rc) {
  std::string text = cudaErrorString(api, rc);
  return cudaErrorName(api, rc) + (text.empty() ? "" : ": " + text);
}

const CudaState& loadCuda(const std::vector<std::string>& candidates) {
  std::lock_guard<std::mutex> lock(g_mutex);
  if (g_state.available) return g_state;
  g_state.attempts.clear();
  g_state.error.clear();
  for (const std::string& candidate : candidates) {
    std::string error;
    g_state.attempts.push_back(candidate);
    if (tryCandidate(candidate, &error)) {
      g_state.available = true;
      g_state.error.clear();
      break;
    }
    g_state.error += (g_state.error.empty() ? "" : "; ") + candidate + ": " + error;
  }
  return g_state;
}

const CudaState* loadedCuda() {
  std::lock_guard<std::mutex> lock(g_mutex);
  return g_state.available ? &g_state : nullptr;
}

}  // namespace cubie
