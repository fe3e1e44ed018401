#include "cuda_device.h"

#include <cstdio>
#include <cstring>
#include <map>
#include <mutex>
#include <set>

#include "js_error.h"

namespace cubie {

// ---------------------------------------------------------------- failures

bool CudaFailure::contextLost() const {
  switch (result) {
    case CUDA_ERROR_ILLEGAL_ADDRESS:
    case CUDA_ERROR_HARDWARE_STACK_ERROR:
    case CUDA_ERROR_ILLEGAL_INSTRUCTION:
    case CUDA_ERROR_MISALIGNED_ADDRESS:
    case CUDA_ERROR_INVALID_ADDRESS_SPACE:
    case CUDA_ERROR_INVALID_PC:
    case CUDA_ERROR_LAUNCH_FAILED:
    case CUDA_ERROR_ECC_UNCORRECTABLE:
    case CUDA_ERROR_DEVICE_UNAVAILABLE:
    case CUDA_ERROR_UNKNOWN:
      return true;
    default:
      return false;
  }
}

std::string CudaFailure::message() const {
  std::string out = call + " failed with " + resultName + (resultText.empty() ? "" : " (" + resultText + ")");
  if (!doing.empty()) out += " while " + doing;
  if (device >= 0) out += " on device " + std::to_string(device);
  if (contextLost()) {
    out += "; the device's context is unusable after this error and is reset once cubie releases it";
  }
  return out;
}

Napi::Error CudaFailure::toError(Napi::Env env) const {
  Napi::Error error = makeError(env, "CUDA_ERROR", message());
  error.Set("call", Napi::String::New(env, call));
  error.Set("result", Napi::String::New(env, resultName));
  error.Set("resultCode", Napi::Number::New(env, result));
  error.Set("resultText", Napi::String::New(env, resultText));
  error.Set("doing", Napi::String::New(env, doing));
  if (device >= 0) error.Set("device", Napi::Number::New(env, device));
  error.Set("contextLost", Napi::Boolean::New(env, contextLost()));
  return error;
}

const CudaApi& cudaApi() {
  const CudaState* state = loadedCuda();
  if (state == nullptr) throw PlainError("DRIVER_UNAVAILABLE", "the CUDA driver is not loaded");
  if (!state->backendError.empty()) throw PlainError("DRIVER_UNAVAILABLE", state->backendError);
  return state->api;
}

std::string formatBytes(double bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int unit = 0;
  while (bytes >= 1024.0 && unit < 4) {
    bytes /= 1024.0;
    ++unit;
  }
  char text[32];
  snprintf(text, sizeof(text), unit == 0 ? "%.0f %s" : "%.1f %s", bytes, units[unit]);
  return text;
}

// ---------------------------------------------------------------- contexts

namespace {
std::mutex g_contextMutex;
std::map<int, int> g_retains;  // cubie's own retains of each device's primary context
std::set<int> g_lost;          // devices whose context must be reset once released
}  // namespace

PrimaryContext::PrimaryContext(int device) : device_(device) {
  const CudaApi& api = cudaApi();
  check(api.DevicePrimaryCtxRetain(&context_, device), "cuDevicePrimaryCtxRetain", device,
        [] { return std::string("retaining the device's primary context"); });
  std::lock_guard<std::mutex> lock(g_contextMutex);
  ++g_retains[device];
}

PrimaryContext::~PrimaryContext() {
  const CudaApi& api = loadedCuda()->api;
  api.DevicePrimaryCtxRelease(device_);
  std::lock_guard<std::mutex> lock(g_contextMutex);
  if (--g_retains[device_] == 0 && g_lost.erase(device_) > 0) {
    // The last release resets a primary context already; this covers a
    // retain by another library in the process, whose context is broken too.
    api.DevicePrimaryCtxReset(device_);
  }
}

void PrimaryContext::markLost(int device) {
  std::lock_guard<std::mutex> lock(g_contextMutex);
  g_lost.insert(device);
}

ScopedCurrent::ScopedCurrent(CUcontext context, int device) {
  check(cudaApi().CtxPushCurrent(context), "cuCtxPushCurrent_v2", device,
        [] { return std::string("making the device's context current"); });
}

ScopedCurrent::~ScopedCurrent() {
  CUcontext popped = nullptr;
  loadedCuda()->api.CtxPopCurrent(&popped);
}

// ---------------------------------------------------------------- memory and streams

DeviceMemory::DeviceMemory(size_t bytes, int device, const std::string& purpose) {
  check(cudaApi().MemAlloc(&pointer_, bytes), "cuMemAlloc_v2", device,
        [&] { return "allocating " + formatBytes(static_cast<double>(bytes)) + " of device memory for " + purpose; });
  bytes_ = bytes;
}

void DeviceMemory::reset() {
  if (pointer_ != 0) loadedCuda()->api.MemFree(pointer_);
  pointer_ = 0;
  bytes_ = 0;
}

PinnedMemory::PinnedMemory(size_t bytes, int device, const std::string& purpose) {
  check(cudaApi().MemHostAlloc(&pointer_, bytes, 0), "cuMemHostAlloc", device,
        [&] { return "allocating " + formatBytes(static_cast<double>(bytes)) + " of page-locked host memory for " + purpose; });
  bytes_ = bytes;
}

void PinnedMemory::reset() {
  if (pointer_ != nullptr) loadedCuda()->api.MemFreeHost(pointer_);
  pointer_ = nullptr;
  bytes_ = 0;
}

Stream::Stream(int device) {
  check(cudaApi().StreamCreate(&stream_, CU_STREAM_NON_BLOCKING), "cuStreamCreate", device,
        [] { return std::string("creating a stream"); });
}

Stream::~Stream() {
  if (stream_ == nullptr) return;
  drainQuietly();
  loadedCuda()->api.StreamDestroy(stream_);
}

void Stream::drainQuietly() const {
  if (stream_ != nullptr) loadedCuda()->api.StreamSynchronize(stream_);
}

Event::Event(int device) {
  check(cudaApi().EventCreate(&event_, CU_EVENT_BLOCKING_SYNC), "cuEventCreate", device,
        [] { return std::string("creating an event"); });
}

Event::~Event() {
  if (event_ != nullptr) loadedCuda()->api.EventDestroy(event_);
}

// ---------------------------------------------------------------- modules

namespace {

constexpr const char* kEntry = "cubie_integrate";

int functionAttribute(const CudaApi& api, CUfunction function, int attribute, const char* what, int device) {
  int value = 0;
  check(api.FuncGetAttribute(&value, attribute, function), "cuFuncGetAttribute", device,
        [&] { return std::string("reading the kernel's ") + what; });
  return value;
}

}  // namespace

CudaModule::CudaModule(int device, const std::string& image, bool ptx, size_t expectedParamBytes)
    : context(device) {
  const CudaApi& api = cudaApi();
  ScopedCurrent current(context.get(), device);
  // The JIT's logs: why a PTX was refused, and what it did.
  std::string errorLog(16384, '\0');
  std::string infoLog(16384, '\0');
  int options[] = {CU_JIT_ERROR_LOG_BUFFER, CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES, CU_JIT_INFO_LOG_BUFFER,
                   CU_JIT_INFO_LOG_BUFFER_SIZE_BYTES};
  void* values[] = {&errorLog[0], reinterpret_cast<void*>(errorLog.size()), &infoLog[0],
                    reinterpret_cast<void*>(infoLog.size())};
  // A PTX image is text and must end in NUL; std::string guarantees one after data().
  CUresult rc = api.ModuleLoadDataEx(&module, image.c_str(), 4, options, values);
  errorLog.resize(strnlen(errorLog.c_str(), errorLog.size()));
  this->infoLog = infoLog.substr(0, strnlen(infoLog.c_str(), infoLog.size()));
  if (rc != CUDA_SUCCESS) {
    try {
      check(rc, "cuModuleLoadDataEx", device, [&] {
        return std::string("loading the kernel's ") + (ptx ? "PTX (the driver compiles it for the device)" : "CUBIN") +
               (errorLog.empty() ? "" : ": " + errorLog);
      });
    } catch (...) {
      module = nullptr;
      throw;
    }
  }
  try {
    check(api.ModuleGetFunction(&function, module, kEntry), "cuModuleGetFunction", device,
          [] { return std::string("finding the kernel entry cubie_integrate"); });
    registers = functionAttribute(api, function, CU_FUNC_ATTRIBUTE_NUM_REGS, "register count", device);
    localBytes = functionAttribute(api, function, CU_FUNC_ATTRIBUTE_LOCAL_SIZE_BYTES, "local memory size", device);
    maxThreadsPerBlock = functionAttribute(api, function, CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK, "block size limit", device);
    ptxVersion = functionAttribute(api, function, CU_FUNC_ATTRIBUTE_PTX_VERSION, "PTX version", device);
    binaryVersion = functionAttribute(api, function, CU_FUNC_ATTRIBUTE_BINARY_VERSION, "binary version", device);
    if (api.FuncGetParamInfo != nullptr) {
      size_t offset = 0, size = 0, extraOffset = 0, extraSize = 0;
      check(api.FuncGetParamInfo(function, 0, &offset, &size), "cuFuncGetParamInfo", device,
            [] { return std::string("reading the kernel's parameter layout"); });
      paramBytes = size;
      bool extra = api.FuncGetParamInfo(function, 1, &extraOffset, &extraSize) == CUDA_SUCCESS;
      if (extra || offset != 0 || (expectedParamBytes != 0 && size != expectedParamBytes)) {
        throw PlainError("INTERNAL", "the kernel's parameters (" + std::string(extra ? "more than one" : "one of " + std::to_string(size) + " bytes") +
                                         ") do not match what cubie passes (one of " + std::to_string(expectedParamBytes) +
                                         " bytes): the kernel was built for another argument layout");
      }
    }
  } catch (...) {
    api.ModuleUnload(module);
    module = nullptr;
    throw;
  }
}

CudaModule::~CudaModule() {
  if (module == nullptr) return;
  const CudaApi& api = loadedCuda()->api;
  // A context that cannot be made current (a lost device) takes its modules with it when released.
  if (api.CtxPushCurrent(context.get()) != CUDA_SUCCESS) return;
  api.ModuleUnload(module);
  CUcontext popped = nullptr;
  api.CtxPopCurrent(&popped);
}

namespace {

std::mutex g_modulesMutex;
// Never destroyed: at process exit the driver may be gone before static destructors run.
std::map<int, std::shared_ptr<CudaModule>>& modules() {
  static auto* map = new std::map<int, std::shared_ptr<CudaModule>>();
  return *map;
}
int g_nextModule = 1;

}  // namespace

int registerModule(std::shared_ptr<CudaModule> module) {
  std::lock_guard<std::mutex> lock(g_modulesMutex);
  int id = g_nextModule++;
  modules()[id] = std::move(module);
  return id;
}

std::shared_ptr<CudaModule> findModule(int id) {
  std::lock_guard<std::mutex> lock(g_modulesMutex);
  auto it = modules().find(id);
  return it == modules().end() ? nullptr : it->second;
}

void unregisterModule(int id) {
  std::shared_ptr<CudaModule> module;
  {
    std::lock_guard<std::mutex> lock(g_modulesMutex);
    auto it = modules().find(id);
    if (it == modules().end()) return;
    module = std::move(it->second);
    modules().erase(it);
  }
  // Unloaded here, outside the lock, unless a run in flight still holds it.
}

std::vector<int> dropModulesOf(int device) {
  std::vector<std::shared_ptr<CudaModule>> dropped;
  std::vector<int> ids;
  {
    std::lock_guard<std::mutex> lock(g_modulesMutex);
    for (auto it = modules().begin(); it != modules().end();) {
      if (it->second->context.device() == device) {
        ids.push_back(it->first);
        dropped.push_back(std::move(it->second));
        it = modules().erase(it);
      } else {
        ++it;
      }
    }
  }
  return ids;
}

// ---------------------------------------------------------------- JavaScript surface

namespace {

Napi::Error plainError(Napi::Env env, const PlainError& e) { return makeError(env, e.code(), e.what()); }

// cudaDevices() -> [{ index, name, major, minor, memoryBytes, multiprocessors, maxThreadsPerMultiprocessor, maxThreadsPerBlock }]
// Asked of the driver on each call (a few microseconds), so the list is never stale.
Napi::Value CudaDevices(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const CudaState* state = loadedCuda();
  if (state == nullptr) throw makeError(env, "DRIVER_UNAVAILABLE", "the CUDA driver is not loaded");
  std::vector<CudaDeviceInfo> devices;
  std::string error;
  if (!queryDevices(state->api, &devices, &error)) throw makeError(env, "CUDA_ERROR", error);
  Napi::Array out = Napi::Array::New(env, devices.size());
  for (size_t i = 0; i < devices.size(); ++i) {
    const CudaDeviceInfo& d = devices[i];
    Napi::Object device = Napi::Object::New(env);
    device.Set("index", d.index);
    device.Set("name", d.name);
    device.Set("major", d.major);
    device.Set("minor", d.minor);
    device.Set("memoryBytes", static_cast<double>(d.memoryBytes));
    device.Set("multiprocessors", d.multiprocessors);
    device.Set("maxThreadsPerMultiprocessor", d.maxThreadsPerMultiprocessor);
    device.Set("maxThreadsPerBlock", d.maxThreadsPerBlock);
    out.Set(static_cast<uint32_t>(i), device);
  }
  return out;
}

// cudaDriverVersion() -> 12040: the CUDA version the driver supports, asked now.
Napi::Value CudaDriverVersion(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const CudaState* state = loadedCuda();
  if (state == nullptr) throw makeError(env, "DRIVER_UNAVAILABLE", "the CUDA driver is not loaded");
  int version = 0;
  CUresult rc = state->api.DriverGetVersion(&version);
  if (rc != CUDA_SUCCESS) throw makeError(env, "CUDA_ERROR", "cuDriverGetVersion: " + cudaErrorText(state->api, rc));
  return Napi::Number::New(env, version);
}

// Loading a module can run the driver's JIT (PTX) for seconds: off the main thread.
class ModuleLoadWorker : public Napi::AsyncWorker {
 public:
  ModuleLoadWorker(Napi::Env env, int device, std::string image, bool ptx, size_t expectedParamBytes)
      : Napi::AsyncWorker(env),
        deferred_(Napi::Promise::Deferred::New(env)),
        device_(device),
        image_(std::move(image)),
        ptx_(ptx),
        expectedParamBytes_(expectedParamBytes) {}
  Napi::Promise promise() { return deferred_.Promise(); }

  void Execute() override {
    try {
      module_ = std::make_shared<CudaModule>(device_, image_, ptx_, expectedParamBytes_);
    } catch (const CudaException& e) {
      failure_ = e.failure();
      SetError(failure_.message());
    } catch (const PlainError& e) {
      plain_.reset(new PlainError(e));
      SetError(e.what());
    } catch (const std::exception& e) {
      plain_.reset(new PlainError("INTERNAL", std::string("loading a CUDA module: ") + e.what()));
      SetError(e.what());
    }
  }

  void OnOK() override {
    Napi::Env env = Env();
    int id = registerModule(module_);
    Napi::Object out = Napi::Object::New(env);
    out.Set("id", id);
    out.Set("device", device_);
    out.Set("registers", module_->registers);
    out.Set("localBytes", module_->localBytes);
    out.Set("maxThreadsPerBlock", module_->maxThreadsPerBlock);
    out.Set("ptxVersion", module_->ptxVersion);
    out.Set("binaryVersion", module_->binaryVersion);
    out.Set("paramBytes", static_cast<double>(module_->paramBytes));
    out.Set("infoLog", module_->infoLog);
    module_.reset();
    deferred_.Resolve(out);
  }

  void OnError(const Napi::Error&) override {
    Napi::Env env = Env();
    if (plain_) {
      deferred_.Reject(plainError(env, *plain_).Value());
      return;
    }
    if (failure_.contextLost()) {
      PrimaryContext::markLost(device_);
      dropModulesOf(device_);
    }
    deferred_.Reject(failure_.toError(env).Value());
  }

 private:
  Napi::Promise::Deferred deferred_;
  int device_;
  std::string image_;
  bool ptx_;
  size_t expectedParamBytes_;
  std::shared_ptr<CudaModule> module_;
  CudaFailure failure_;
  std::unique_ptr<PlainError> plain_;
};

// cudaModuleLoad(device, image: Buffer, kind: 'cubin'|'ptx', expectedParamBytes) -> Promise<{ id, registers, ... }>
Napi::Value CudaModuleLoad(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 4 || !info[0].IsNumber() || !info[1].IsBuffer() || !info[2].IsString() || !info[3].IsNumber()) {
    throw makeError(env, "INTERNAL", "cudaModuleLoad(device, image, kind, expectedParamBytes): bad arguments");
  }
  Napi::Buffer<char> image = info[1].As<Napi::Buffer<char>>();
  if (image.Length() == 0) throw makeError(env, "INTERNAL", "cudaModuleLoad: empty kernel image");
  auto* worker = new ModuleLoadWorker(env, info[0].As<Napi::Number>().Int32Value(),
                                      std::string(image.Data(), image.Length()),
                                      info[2].As<Napi::String>().Utf8Value() == "ptx",
                                      static_cast<size_t>(info[3].As<Napi::Number>().Int64Value()));
  Napi::Promise promise = worker->promise();
  worker->Queue();
  return promise;
}

// cudaModuleUnload(id): later runs of this id fail; a run in flight keeps its module until it ends.
Napi::Value CudaModuleUnload(const Napi::CallbackInfo& info) {
  unregisterModule(info[0].ToNumber().Int32Value());
  return info.Env().Undefined();
}

}  // namespace

void RegisterCudaModules(Napi::Env env, Napi::Object exports) {
  exports.Set("cudaDevices", Napi::Function::New(env, CudaDevices));
  exports.Set("cudaDriverVersion", Napi::Function::New(env, CudaDriverVersion));
  exports.Set("cudaModuleLoad", Napi::Function::New(env, CudaModuleLoad));
  exports.Set("cudaModuleUnload", Napi::Function::New(env, CudaModuleUnload));
}

}  // namespace cubie
