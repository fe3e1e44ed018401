// cudaRun: the CUDA batch (cuda_scheduler.h) bound to JavaScript. Reads the
// arguments, runs the batch off the JavaScript thread, and settles a Promise
// with its report or a CubieError-shaped error.
#include <napi.h>

#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "cuda_device.h"
#include "cuda_scheduler.h"
#include "js_error.h"
#include "run_args.h"
#include "run_worker.h"

namespace cubie {
namespace {

class CudaRunWorker : public RunWorker {
 public:
  CudaRunWorker(Napi::Env env, std::vector<std::shared_ptr<CudaModule>> modules, RunSettings settings, RunJsRefs js)
      : RunWorker(env, settings.nRuns, std::move(js)), modules_(std::move(modules)), settings_(std::move(settings)) {}

  void Execute(const ExecutionProgress& progress) override {
    outcome_ = runBatch(settings_, modules_, [&](long long done) { report(progress, done); });
    if (outcome_.plain) {
      SetError(outcome_.plain->what());
    } else if (outcome_.failure) {
      SetError(outcome_.failure->message());
    } else if (outcome_.cancelled) {
      SetError("the solve was cancelled between chunks");
    }
  }

  void OnOK() override {
    Napi::Env env = Env();
    Napi::Object out = Napi::Object::New(env);
    Napi::Array devices = Napi::Array::New(env, outcome_.devices.size());
    double kernelMs = 0, transferMs = 0;
    for (size_t i = 0; i < outcome_.devices.size(); ++i) {
      const DeviceReport& r = outcome_.devices[i];
      Napi::Object d = Napi::Object::New(env);
      d.Set("device", r.device);
      d.Set("runs", static_cast<double>(r.runs));
      d.Set("chunks", r.chunks);
      d.Set("chunkRuns", static_cast<double>(r.chunkRuns));
      d.Set("blockSize", r.blockSize);
      d.Set("outOfMemoryRetries", r.outOfMemoryRetries);
      d.Set("kernelMs", r.kernelMs);
      d.Set("transferMs", r.transferMs);
      d.Set("deviceBytes", r.deviceBytes);
      d.Set("pinnedBytes", r.pinnedBytes);
      devices.Set(static_cast<uint32_t>(i), d);
      kernelMs += r.kernelMs;
      transferMs += r.transferMs;
    }
    out.Set("devices", devices);
    out.Set("kernelMs", kernelMs);
    out.Set("transferMs", transferMs);
    out.Set("wallMs", outcome_.wallMs);
    deferred_.Resolve(out);
  }

  void OnError(const Napi::Error& e) override {
    Napi::Env env = Env();
    if (outcome_.plain) {
      deferred_.Reject(makeError(env, outcome_.plain->code(), outcome_.plain->what()).Value());
    } else if (outcome_.failure) {
      Napi::Error error = outcome_.failure->toError(env);
      // JavaScript forgets these modules' handles: their device's context was lost.
      const std::vector<int>& dropped = outcome_.droppedModules;
      Napi::Array lost = Napi::Array::New(env, dropped.size());
      for (size_t i = 0; i < dropped.size(); ++i) lost.Set(static_cast<uint32_t>(i), dropped[i]);
      error.Set("droppedModules", lost);
      deferred_.Reject(error.Value());
    } else {
      // Cancelled, or an exception runBatch let through (AsyncWorker turned it into this error).
      deferred_.Reject(makeError(env, outcome_.cancelled ? "ABORTED" : "INTERNAL", e.Message()).Value());
    }
  }

 private:
  std::vector<std::shared_ptr<CudaModule>> modules_;
  RunSettings settings_;
  BatchOutcome outcome_;
};

// One module per device, each loaded and on a device of its own.
std::vector<std::shared_ptr<CudaModule>> modulesOf(Napi::Env env, Napi::Array ids) {
  std::vector<std::shared_ptr<CudaModule>> modules;
  std::vector<int> devices;
  for (uint32_t i = 0; i < ids.Length(); ++i) {
    std::shared_ptr<CudaModule> module = findModule(ids.Get(i).ToNumber().Int32Value());
    if (module == nullptr) {
      throw makeError(env, "INTERNAL", "cudaRun: a kernel module is not loaded (unloaded, or its device's context was lost)");
    }
    if (std::find(devices.begin(), devices.end(), module->context.device()) != devices.end()) {
      throw makeError(env, "INTERNAL", "cudaRun: two modules for one device");
    }
    devices.push_back(module->context.device());
    modules.push_back(module);
  }
  if (modules.empty()) throw makeError(env, "INTERNAL", "cudaRun: no device");
  return modules;
}

}  // namespace

// cudaRun(moduleIds: number[] (one per device), scalars: Float64Array,
//         buffers: (TypedArray|null)[], roles: Int32Array, names: string[],
//         { blockSize, chunkRuns, maxDeviceBytes, cancel?: Int32Array(1), onProgress?(done, total) })
//   -> Promise<{ devices: [...], kernelMs, transferMs, wallMs }>
Napi::Value CudaRun(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 6 || !info[0].IsArray() || !info[1].IsTypedArray() || !info[2].IsArray() || !info[3].IsTypedArray() ||
      !info[4].IsArray() || !info[5].IsObject()) {
    throw makeError(env, "INTERNAL", "cudaRun(moduleIds, scalars, buffers, roles, names, options): bad arguments");
  }
  Napi::Int32Array roles = info[3].As<Napi::Int32Array>();
  Napi::Array names = info[4].As<Napi::Array>();
  Napi::Object options = info[5].As<Napi::Object>();
  const uint32_t nBuffers = info[2].As<Napi::Array>().Length();
  if (roles.ElementLength() != nBuffers || names.Length() != nBuffers) {
    throw makeError(env, "INTERNAL", "cudaRun: buffers, roles and names differ in length");
  }
  std::vector<std::shared_ptr<CudaModule>> modules = modulesOf(env, info[0].As<Napi::Array>());
  RunArgs args = readRunArgs(env, "cudaRun", info[1], info[2], options);

  RunSettings settings;
  settings.nRuns = args.nRuns;
  settings.scalars = std::move(args.scalars);
  settings.cancel = args.cancel;
  for (uint32_t i = 0; i < nBuffers; ++i) {
    const RunBuffer& given = args.buffers[i];
    HostBuffer b;
    b.role = roles[i];
    b.name = names.Get(i).ToString().Utf8Value();
    if (given.data != nullptr) {
      b.data = given.data;
      b.elementBytes = given.elementBytes;
      b.bytes = given.bytes();
      // Per-run buffers are [rows][nRuns]: a length that is not whole rows would be read past its end.
      if (b.role != ROLE_SHARED) {
        if (args.nRuns == 0 || given.length % static_cast<size_t>(args.nRuns) != 0) {
          throw makeError(env, "INTERNAL", "cudaRun: " + b.name + " has " + std::to_string(given.length) +
                                               " elements, not a multiple of the " + std::to_string(args.nRuns) + " runs");
        }
        b.rows = given.length / static_cast<size_t>(args.nRuns);
      }
    }
    settings.buffers.push_back(std::move(b));
  }
  settings.blockSize = options.Get("blockSize").ToNumber().Int32Value();
  settings.chunkRuns = options.Get("chunkRuns").ToNumber().Int64Value();
  settings.maxDeviceBytes = options.Get("maxDeviceBytes").ToNumber().DoubleValue();
  auto* worker = new CudaRunWorker(env, std::move(modules), std::move(settings), std::move(args.js));
  Napi::Promise promise = worker->promise();
  worker->Queue();
  return promise;
}

void RegisterCudaRunner(Napi::Env env, Napi::Object exports) {
  exports.Set("cudaRun", Napi::Function::New(env, CudaRun));
}

}  // namespace cubie
