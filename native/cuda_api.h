// The CUDA driver API reached through dlopen: the function table by exact
// versioned symbol name, and device discovery for probe(). The addon links
// no CUDA library; the constants below are the driver's own (cuda.h), kept
// here so that building cubie needs no CUDA toolkit.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "dynlib.h"

namespace cubie {

typedef int CUresult;  // CUDA_SUCCESS == 0
typedef int CUdevice;
typedef unsigned long long CUdeviceptr;
typedef struct CUctx_st* CUcontext;
typedef struct CUmod_st* CUmodule;
typedef struct CUfunc_st* CUfunction;
typedef struct CUstream_st* CUstream;
typedef struct CUevent_st* CUevent;
typedef size_t (*CUoccupancyB2DSize)(int blockSize);

// CUresult values cubie reacts to.
enum : CUresult {
  CUDA_SUCCESS = 0,
  CUDA_ERROR_INVALID_VALUE = 1,
  CUDA_ERROR_OUT_OF_MEMORY = 2,
  CUDA_ERROR_DEVICE_UNAVAILABLE = 46,
  CUDA_ERROR_NO_BINARY_FOR_GPU = 209,
  CUDA_ERROR_ECC_UNCORRECTABLE = 214,
  CUDA_ERROR_INVALID_PTX = 218,
  CUDA_ERROR_UNSUPPORTED_PTX_VERSION = 222,
  CUDA_ERROR_ILLEGAL_ADDRESS = 700,
  CUDA_ERROR_HARDWARE_STACK_ERROR = 714,
  CUDA_ERROR_ILLEGAL_INSTRUCTION = 715,
  CUDA_ERROR_MISALIGNED_ADDRESS = 716,
  CUDA_ERROR_INVALID_ADDRESS_SPACE = 717,
  CUDA_ERROR_INVALID_PC = 718,
  CUDA_ERROR_LAUNCH_FAILED = 719,
  CUDA_ERROR_UNKNOWN = 999,
};

enum : int {
  CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK = 1,
  CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT = 16,
  CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_MULTIPROCESSOR = 39,
  CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75,
  CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76,
  CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK = 0,
  CU_FUNC_ATTRIBUTE_LOCAL_SIZE_BYTES = 3,
  CU_FUNC_ATTRIBUTE_NUM_REGS = 4,
  CU_FUNC_ATTRIBUTE_PTX_VERSION = 5,
  CU_FUNC_ATTRIBUTE_BINARY_VERSION = 6,
  CU_JIT_INFO_LOG_BUFFER = 3,
  CU_JIT_INFO_LOG_BUFFER_SIZE_BYTES = 4,
  CU_JIT_ERROR_LOG_BUFFER = 5,
  CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES = 6,
  CU_STREAM_NON_BLOCKING = 1,
  CU_EVENT_BLOCKING_SYNC = 1,
};

struct CudaApi {
  // Device discovery (probe).
  CUresult (*Init)(unsigned int);
  CUresult (*DriverGetVersion)(int*);
  CUresult (*GetErrorName)(CUresult, const char**);
  CUresult (*GetErrorString)(CUresult, const char**);
  CUresult (*DeviceGetCount)(int*);
  CUresult (*DeviceGet)(CUdevice*, int);
  CUresult (*DeviceGetName)(char*, int, CUdevice);
  CUresult (*DeviceGetAttribute)(int*, int, CUdevice);
  CUresult (*DeviceTotalMem)(size_t*, CUdevice);  // cuDeviceTotalMem_v2

  // The backend. Each is resolved by the exact name given beside it.
  CUresult (*DevicePrimaryCtxRetain)(CUcontext*, CUdevice);     // cuDevicePrimaryCtxRetain
  CUresult (*DevicePrimaryCtxRelease)(CUdevice);                // cuDevicePrimaryCtxRelease_v2
  CUresult (*DevicePrimaryCtxReset)(CUdevice);                  // cuDevicePrimaryCtxReset_v2
  CUresult (*CtxPushCurrent)(CUcontext);                        // cuCtxPushCurrent_v2
  CUresult (*CtxPopCurrent)(CUcontext*);                        // cuCtxPopCurrent_v2
  CUresult (*ModuleLoadDataEx)(CUmodule*, const void*, unsigned int, int*, void**);  // cuModuleLoadDataEx
  CUresult (*ModuleUnload)(CUmodule);                           // cuModuleUnload
  CUresult (*ModuleGetFunction)(CUfunction*, CUmodule, const char*);  // cuModuleGetFunction
  CUresult (*FuncGetAttribute)(int*, int, CUfunction);          // cuFuncGetAttribute
  CUresult (*OccupancyMaxPotentialBlockSize)(int*, int*, CUfunction, CUoccupancyB2DSize, size_t, int);
  CUresult (*OccupancyMaxActiveBlocksPerMultiprocessor)(int*, CUfunction, int, size_t);
  CUresult (*MemGetInfo)(size_t*, size_t*);                     // cuMemGetInfo_v2
  CUresult (*MemAlloc)(CUdeviceptr*, size_t);                   // cuMemAlloc_v2
  CUresult (*MemFree)(CUdeviceptr);                             // cuMemFree_v2
  CUresult (*MemHostAlloc)(void**, size_t, unsigned int);       // cuMemHostAlloc
  CUresult (*MemFreeHost)(void*);                               // cuMemFreeHost
  CUresult (*MemcpyHtoD)(CUdeviceptr, const void*, size_t);     // cuMemcpyHtoD_v2
  CUresult (*MemcpyHtoDAsync)(CUdeviceptr, const void*, size_t, CUstream);  // cuMemcpyHtoDAsync_v2
  CUresult (*MemcpyDtoHAsync)(void*, CUdeviceptr, size_t, CUstream);        // cuMemcpyDtoHAsync_v2
  CUresult (*MemsetD8Async)(CUdeviceptr, unsigned char, size_t, CUstream);  // cuMemsetD8Async
  CUresult (*StreamCreate)(CUstream*, unsigned int);            // cuStreamCreate
  CUresult (*StreamDestroy)(CUstream);                          // cuStreamDestroy_v2
  CUresult (*StreamSynchronize)(CUstream);                      // cuStreamSynchronize
  CUresult (*EventCreate)(CUevent*, unsigned int);              // cuEventCreate
  CUresult (*EventRecord)(CUevent, CUstream);                   // cuEventRecord
  CUresult (*EventSynchronize)(CUevent);                        // cuEventSynchronize
  CUresult (*EventElapsedTime)(float*, CUevent, CUevent);       // cuEventElapsedTime
  CUresult (*EventDestroy)(CUevent);                            // cuEventDestroy_v2
  CUresult (*LaunchKernel)(CUfunction, unsigned int, unsigned int, unsigned int, unsigned int, unsigned int,
                           unsigned int, unsigned int, CUstream, void**, void**);  // cuLaunchKernel
  // Optional (drivers from CUDA 12.4 on): the kernel's parameter layout, checked before a launch.
  CUresult (*FuncGetParamInfo)(CUfunction, size_t, size_t*, size_t*);  // cuFuncGetParamInfo
};

struct CudaDeviceInfo {
  int index = 0;
  std::string name;
  int major = 0;
  int minor = 0;
  size_t memoryBytes = 0;
  int multiprocessors = 0;
  int maxThreadsPerMultiprocessor = 0;
  int maxThreadsPerBlock = 0;
};

struct CudaState {
  bool available = false;
  std::string path;
  int version = 0;  // e.g. 12040
  std::string error;
  // Empty when every backend symbol resolved; else why the backend cannot run
  // (a driver too old for cubie), while probe() still lists the devices.
  std::string backendError;
  std::vector<std::string> attempts;
  std::vector<CudaDeviceInfo> devices;
  CudaApi api{};
};

// Loads the driver from the first candidate that opens and initialises;
// retried on each call until one succeeds, then fixed for the process.
const CudaState& loadCuda(const std::vector<std::string>& candidates);
// The loaded driver, or nullptr before loadCuda succeeded.
const CudaState* loadedCuda();
// The devices as the driver reports them now (count and attributes).
bool queryDevices(const CudaApi& api, std::vector<CudaDeviceInfo>* devices, std::string* error);
// "CUDA_ERROR_OUT_OF_MEMORY: out of memory" for a CUresult.
std::string cudaErrorText(const CudaApi& api, CUresult rc);
// The CUresult's name alone ("CUDA_ERROR_OUT_OF_MEMORY"), or "CUresult 123".
std::string cudaErrorName(const CudaApi& api, CUresult rc);
// The driver's description of a CUresult ("out of memory"), or "".
std::string cudaErrorString(const CudaApi& api, CUresult rc);

}  // namespace cubie
