// What the CUDA backend holds on a device: failures as values, the primary
// context, and RAII owners for everything the driver allocates, so that every
// path (success, error, cancellation) frees what it took.
#pragma once
#include <napi.h>

#include <cstdint>
#include <memory>
#include <string>
#include <stdexcept>
#include <utility>
#include <vector>

#include "cuda_api.h"

namespace cubie {

// A driver call that failed, with what cubie was doing when it called it.
struct CudaFailure {
  std::string call;        // "cuMemAlloc_v2"
  CUresult result = 0;
  std::string resultName;  // "CUDA_ERROR_OUT_OF_MEMORY"
  std::string resultText;  // "out of memory"
  std::string doing;       // "allocating 64.0 MiB of device memory for a chunk of 4096 runs"
  int device = -1;

  bool outOfMemory() const { return result == CUDA_ERROR_OUT_OF_MEMORY; }
  // The context cannot be used again: the driver requires it to be reset.
  bool contextLost() const;
  std::string message() const;
  // An Error with code CUDA_ERROR and these fields as properties.
  Napi::Error toError(Napi::Env env) const;
};

// A failure that is not a driver call's: `code` is the CubieError code JavaScript sees.
class PlainError : public std::runtime_error {
 public:
  PlainError(std::string code, const std::string& message) : std::runtime_error(message), code_(std::move(code)) {}
  const std::string& code() const { return code_; }

 private:
  std::string code_;
};

class CudaException : public std::exception {
 public:
  explicit CudaException(CudaFailure failure) : failure_(std::move(failure)) {}
  const CudaFailure& failure() const { return failure_; }
  const char* what() const noexcept override { return "CUDA driver call failed"; }

 private:
  CudaFailure failure_;
};

// The driver's function table; throws (as a failure of `call`) when the driver
// is not loaded or lacks a backend symbol.
const CudaApi& cudaApi();

// Throws a CudaException unless rc is CUDA_SUCCESS. `doing` is only called on failure.
template <typename Doing>
inline void check(CUresult rc, const char* call, int device, Doing doing) {
  if (rc == CUDA_SUCCESS) return;
  const CudaApi& api = cudaApi();
  CudaFailure f;
  f.call = call;
  f.result = rc;
  f.resultName = cudaErrorName(api, rc);
  f.resultText = cudaErrorString(api, rc);
  f.doing = doing();
  f.device = device;
  throw CudaException(std::move(f));
}

// "1.5 GiB", "12.0 MiB", "512 B".
std::string formatBytes(double bytes);

// A retained primary context of a device (cuDevicePrimaryCtxRetain /
// cuDevicePrimaryCtxRelease_v2). When a failure left the context unusable,
// the last release resets it (cuDevicePrimaryCtxReset_v2), so the next solve
// starts on a fresh one.
class PrimaryContext {
 public:
  explicit PrimaryContext(int device);
  ~PrimaryContext();
  PrimaryContext(const PrimaryContext&) = delete;
  PrimaryContext& operator=(const PrimaryContext&) = delete;
  CUcontext get() const { return context_; }
  int device() const { return device_; }
  // Marks the device's context lost: it is reset once the last holder releases it.
  static void markLost(int device);

 private:
  int device_;
  CUcontext context_ = nullptr;
};

// Makes a context current on this thread for the scope (push / pop).
class ScopedCurrent {
 public:
  ScopedCurrent(CUcontext context, int device);
  ~ScopedCurrent();
  ScopedCurrent(const ScopedCurrent&) = delete;
  ScopedCurrent& operator=(const ScopedCurrent&) = delete;
};

class DeviceMemory {
 public:
  DeviceMemory() = default;
  DeviceMemory(size_t bytes, int device, const std::string& purpose);
  ~DeviceMemory() { reset(); }
  DeviceMemory(DeviceMemory&& other) noexcept { *this = std::move(other); }
  DeviceMemory& operator=(DeviceMemory&& other) noexcept {
    std::swap(pointer_, other.pointer_);
    std::swap(bytes_, other.bytes_);
    return *this;
  }
  void reset();
  CUdeviceptr get() const { return pointer_; }
  size_t bytes() const { return bytes_; }

 private:
  CUdeviceptr pointer_ = 0;
  size_t bytes_ = 0;
};

// Page-locked host memory, for copies that overlap with kernels.
class PinnedMemory {
 public:
  PinnedMemory() = default;
  PinnedMemory(size_t bytes, int device, const std::string& purpose);
  ~PinnedMemory() { reset(); }
  PinnedMemory(PinnedMemory&& other) noexcept { *this = std::move(other); }
  PinnedMemory& operator=(PinnedMemory&& other) noexcept {
    std::swap(pointer_, other.pointer_);
    std::swap(bytes_, other.bytes_);
    return *this;
  }
  void reset();
  char* get() const { return static_cast<char*>(pointer_); }
  size_t bytes() const { return bytes_; }

 private:
  void* pointer_ = nullptr;
  size_t bytes_ = 0;
};

class Stream {
 public:
  explicit Stream(int device);
  ~Stream();
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;
  CUstream get() const { return stream_; }
  // Waits for the stream's work, ignoring errors (used before freeing what it reads).
  void drainQuietly() const;

 private:
  CUstream stream_ = nullptr;
};

class Event {
 public:
  explicit Event(int device);
  ~Event();
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;
  CUevent get() const { return event_; }

 private:
  CUevent event_ = nullptr;
};

// A kernel module loaded into a device's primary context, with the entry
// point's attributes. Unloaded (and the context released) when the last
// holder lets go: a run in flight keeps its module alive.
struct CudaModule {
  CudaModule(int device, const std::string& image, bool ptx, size_t expectedParamBytes);
  ~CudaModule();
  CudaModule(const CudaModule&) = delete;
  CudaModule& operator=(const CudaModule&) = delete;

  PrimaryContext context;
  CUmodule module = nullptr;
  CUfunction function = nullptr;
  int registers = 0;
  int localBytes = 0;
  int maxThreadsPerBlock = 0;
  int ptxVersion = 0;
  int binaryVersion = 0;
  // From cuFuncGetParamInfo; 0 when the driver cannot tell.
  size_t paramBytes = 0;
  std::string infoLog;
};

// Registered modules by id (the handles JavaScript holds).
int registerModule(std::shared_ptr<CudaModule> module);
std::shared_ptr<CudaModule> findModule(int id);
void unregisterModule(int id);
// Drops every module of a device whose context was lost; returns their ids.
std::vector<int> dropModulesOf(int device);

void RegisterCudaModules(Napi::Env env, Napi::Object exports);

}  // namespace cubie
