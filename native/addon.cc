// The addon's whole surface. It links no CUDA library: NVRTC and the driver
// are opened with dlopen on first use, so the addon loads on any machine.
#include <napi.h>

#include "cuda_api.h"
#include "js_error.h"
#include "nvrtc_api.h"

namespace cubie {

Napi::Value NvrtcCompile(const Napi::CallbackInfo& info);
void RegisterCpuRunner(Napi::Env env, Napi::Object exports);
void RegisterCudaModules(Napi::Env env, Napi::Object exports);
void RegisterCudaRunner(Napi::Env env, Napi::Object exports);
void RegisterFileLock(Napi::Env env, Napi::Object exports);

namespace {

std::vector<std::string> candidateList(const Napi::CallbackInfo& info) {
  std::vector<std::string> out;
  if (info.Length() < 1 || !info[0].IsArray()) {
    throw makeError(info.Env(), "INTERNAL", "expected an array of library paths");
  }
  Napi::Array array = info[0].As<Napi::Array>();
  for (uint32_t i = 0; i < array.Length(); ++i) out.push_back(array.Get(i).ToString().Utf8Value());
  return out;
}

// nvrtcLoad(candidates) -> { available, path, version, archs, attempts: [{path, error}] }
Napi::Value NvrtcLoad(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const NvrtcState& state = loadNvrtc(candidateList(info));
  Napi::Object out = Napi::Object::New(env);
  out.Set("available", Napi::Boolean::New(env, state.available));
  Napi::Array attempts = Napi::Array::New(env, state.attempts.size());
  for (size_t i = 0; i < state.attempts.size(); ++i) {
    Napi::Object attempt = Napi::Object::New(env);
    attempt.Set("path", state.attempts[i].path);
    attempt.Set("error", state.attempts[i].error);
    attempts.Set(static_cast<uint32_t>(i), attempt);
  }
  out.Set("attempts", attempts);
  if (state.available) {
    out.Set("path", state.path);
    out.Set("version", std::to_string(state.major) + "." + std::to_string(state.minor));
    Napi::Array archs = Napi::Array::New(env, state.archs.size());
    for (size_t i = 0; i < state.archs.size(); ++i) archs.Set(static_cast<uint32_t>(i), state.archs[i]);
    out.Set("archs", archs);
  }
  return out;
}

// cuInit can take a second on a real machine, so the driver loads off the main thread.
class CudaLoadWorker : public PromiseWorker {
 public:
  CudaLoadWorker(Napi::Env env, std::vector<std::string> candidates)
      : PromiseWorker(env), candidates_(std::move(candidates)) {}
  void Execute() override { state_ = &loadCuda(candidates_); }
  Napi::Value result(Napi::Env env) override {
    Napi::Object out = Napi::Object::New(env);
    out.Set("available", Napi::Boolean::New(env, state_->available));
    if (!state_->path.empty()) out.Set("path", state_->path);
    if (state_->version != 0) {
      out.Set("version", std::to_string(state_->version / 1000) + "." +
                             std::to_string((state_->version % 1000) / 10));
    }
    if (!state_->error.empty()) out.Set("error", state_->error);
    if (!state_->backendError.empty()) out.Set("backendError", state_->backendError);
    Napi::Array devices = Napi::Array::New(env, state_->devices.size());
    for (size_t i = 0; i < state_->devices.size(); ++i) {
      const CudaDeviceInfo& d = state_->devices[i];
      Napi::Object device = Napi::Object::New(env);
      device.Set("index", d.index);
      device.Set("name", d.name);
      device.Set("computeCapability", std::to_string(d.major) + "." + std::to_string(d.minor));
      device.Set("memoryBytes", static_cast<double>(d.memoryBytes));
      devices.Set(static_cast<uint32_t>(i), device);
    }
    out.Set("devices", devices);
    return out;
  }

 private:
  std::vector<std::string> candidates_;
  const CudaState* state_ = nullptr;
};

Napi::Value CudaLoad(const Napi::CallbackInfo& info) {
  auto* worker = new CudaLoadWorker(info.Env(), candidateList(info));
  Napi::Promise promise = worker->promise();
  worker->Queue();
  return promise;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("nvrtcLoad", Napi::Function::New(env, NvrtcLoad));
  exports.Set("nvrtcCompile", Napi::Function::New(env, NvrtcCompile));
  exports.Set("cudaLoad", Napi::Function::New(env, CudaLoad));
  RegisterCpuRunner(env, exports);
  RegisterCudaModules(env, exports);
  RegisterCudaRunner(env, exports);
  RegisterFileLock(env, exports);
  return exports;
}

}  // namespace
}  // namespace cubie

static Napi::Object InitCubie(Napi::Env env, Napi::Object exports) { return cubie::Init(env, exports); }

NODE_API_MODULE(cubie, InitCubie)
