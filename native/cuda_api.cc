#include "cuda_api.h"

#include <mutex>

namespace cubie {
namespace {

constexpr int kAttrComputeCapabilityMajor = 75;  // CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR
constexpr int kAttrComputeCapabilityMinor = 76;  // CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR

std::mutex g_mutex;
CudaState g_state;
DynLib g_lib;

bool resolveAll(DynLib& lib, CudaApi* api, std::string* error) {
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

bool discoverDevices(const CudaApi& api, std::vector<CudaDeviceInfo>* devices, std::string* error) {
  int count = 0;
  CUresult rc = api.DeviceGetCount(&count);
  if (rc != 0) {
    *error = "cuDeviceGetCount: " + cudaErrorText(api, rc);
    return false;
  }
  for (int i = 0; i < count; ++i) {
    CUdevice device = 0;
    CudaDeviceInfo info;
    info.index = i;
    char name[256] = {0};
    if ((rc = api.DeviceGet(&device, i)) != 0 ||
        (rc = api.DeviceGetName(name, sizeof(name) - 1, device)) != 0 ||
        (rc = api.DeviceGetAttribute(&info.major, kAttrComputeCapabilityMajor, device)) != 0 ||
        (rc = api.DeviceGetAttribute(&info.minor, kAttrComputeCapabilityMinor, device)) != 0 ||
        (rc = api.DeviceTotalMem(&info.memoryBytes, device)) != 0) {
      *error = "querying device " + std::to_string(i) + ": " + cudaErrorText(api, rc);
      return false;
    }
    info.name = name;
    devices->push_back(info);
  }
  return true;
}

bool tryCandidate(const std::string& candidate, std::string* error) {
  if (!g_lib.open(candidate, false, error)) return false;
  CudaApi api{};
  if (!resolveAll(g_lib, &api, error)) {
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
  if (!discoverDevices(api, &devices, error)) {
    g_lib.close();
    return false;
  }
  std::string resolved = g_lib.resolvedPath();
  g_state.path = resolved.empty() ? candidate : resolved;
  g_state.devices = devices;
  g_state.api = api;
  return true;
}

}  // namespace

std::string cudaErrorText(const CudaApi& api, CUresult rc) {
  const char* name = nullptr;
  const char* text = nullptr;
  if (api.GetErrorName == nullptr || api.GetErrorName(rc, &name) != 0) name = nullptr;
  if (api.GetErrorString == nullptr || api.GetErrorString(rc, &text) != 0) text = nullptr;
  std::string out = name != nullptr ? name : "CUresult " + std::to_string(rc);
  if (text != nullptr) out += std::string(": ") + text;
  return out;
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

}  // namespace cubie
