// The CUDA driver API reached through dlopen: the function table by exact
// versioned symbol name, and device discovery for probe().
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "dynlib.h"

namespace cubie {

typedef int CUresult;  // CUDA_SUCCESS == 0
typedef int CUdevice;

struct CudaApi {
  CUresult (*Init)(unsigned int);
  CUresult (*DriverGetVersion)(int*);
  CUresult (*GetErrorName)(CUresult, const char**);
  CUresult (*GetErrorString)(CUresult, const char**);
  CUresult (*DeviceGetCount)(int*);
  CUresult (*DeviceGet)(CUdevice*, int);
  CUresult (*DeviceGetName)(char*, int, CUdevice);
  CUresult (*DeviceGetAttribute)(int*, int, CUdevice);
  CUresult (*DeviceTotalMem)(size_t*, CUdevice);  // cuDeviceTotalMem_v2
};

struct CudaDeviceInfo {
  int index = 0;
  std::string name;
  int major = 0;
  int minor = 0;
  size_t memoryBytes = 0;
};

struct CudaState {
  bool available = false;
  std::string path;
  int version = 0;  // e.g. 12040
  std::string error;
  std::vector<std::string> attempts;
  std::vector<CudaDeviceInfo> devices;
  CudaApi api{};
};

// Loads the driver from the first candidate that opens and initialises;
// retried on each call until one succeeds, then fixed for the process.
const CudaState& loadCuda(const std::vector<std::string>& candidates);
// "CUDA_ERROR_OUT_OF_MEMORY: out of memory" for a CUresult.
std::string cudaErrorText(const CudaApi& api, CUresult rc);

}  // namespace cubie
