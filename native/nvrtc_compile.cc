// NVRTC compiles on a libuv worker thread so the event loop keeps turning;
// a compile of a large kernel takes from tenths of a second to seconds.
#include <napi.h>

#include <string>
#include <vector>

#include "js_error.h"
#include "nvrtc_api.h"

namespace cubie {
namespace {

struct CompileRequest {
  std::string source;
  std::string name;
  std::vector<std::string> headerNames;
  std::vector<std::string> headerSources;
  std::vector<std::string> options;
  bool cubin = false;
};

class NvrtcCompileWorker : public PromiseWorker {
 public:
  NvrtcCompileWorker(Napi::Env env, CompileRequest request)
      : PromiseWorker(env), request_(std::move(request)) {}

  void Execute() override {
    const NvrtcState* nvrtc = loadedNvrtc();
    if (nvrtc == nullptr) {
      fail("NVRTC_UNAVAILABLE", "NVRTC is not loaded");
      return;
    }
    const NvrtcApi& api = nvrtc->api;
    std::vector<const char*> headers, includeNames, options;
    for (size_t i = 0; i < request_.headerNames.size(); ++i) {
      headers.push_back(request_.headerSources[i].c_str());
      includeNames.push_back(request_.headerNames[i].c_str());
    }
    for (const std::string& option : request_.options) options.push_back(option.c_str());

    nvrtcProgram program = nullptr;
    nvrtcResult rc = api.CreateProgram(&program, request_.source.c_str(), request_.name.c_str(),
                                       static_cast<int>(headers.size()), headers.data(),
                                       includeNames.data());
    if (rc != 0) {
      fail("COMPILE_FAILED", std::string("nvrtcCreateProgram failed: ") + api.GetErrorString(rc));
      return;
    }
    rc = api.CompileProgram(program, static_cast<int>(options.size()), options.data());
    log_ = programLog(api, program);
    if (rc != 0) {
      fail("COMPILE_FAILED", std::string("NVRTC could not compile ") + request_.name + ": " +
                                 api.GetErrorString(rc),
           log_);
    } else if (!readOutput(api, program)) {
      fail("COMPILE_FAILED", std::string("NVRTC produced no ") + (request_.cubin ? "CUBIN" : "PTX") +
                                 " for " + request_.name +
                                 (request_.cubin ? " (a CUBIN needs -arch=sm_XX, not compute_XX)" : ""),
           log_);
    }
    api.DestroyProgram(&program);
  }

  Napi::Value result(Napi::Env env) override {
    Napi::Object out = Napi::Object::New(env);
    out.Set("log", Napi::String::New(env, log_));
    if (request_.cubin) {
      out.Set("cubin", Napi::Buffer<char>::Copy(env, output_.data(), output_.size()));
    } else {
      // PTX comes back NUL-terminated.
      size_t length = output_.empty() ? 0 : output_.size() - 1;
      out.Set("ptx", Napi::String::New(env, output_.data(), length));
    }
    return out;
  }

 private:
  static std::string programLog(const NvrtcApi& api, nvrtcProgram program) {
    size_t size = 0;
    if (api.GetProgramLogSize(program, &size) != 0 || size <= 1) return "";
    std::string log(size, '\0');
    if (api.GetProgramLog(program, &log[0]) != 0) return "";
    log.resize(size - 1);
    return log;
  }

  bool readOutput(const NvrtcApi& api, nvrtcProgram program) {
    size_t size = 0;
    nvrtcResult rc = request_.cubin ? api.GetCUBINSize(program, &size) : api.GetPTXSize(program, &size);
    if (rc != 0 || size == 0) return false;
    output_.resize(size);
    rc = request_.cubin ? api.GetCUBIN(program, output_.data()) : api.GetPTX(program, output_.data());
    return rc == 0;
  }

  CompileRequest request_;
  std::string log_;
  std::vector<char> output_;
};

std::vector<std::string> stringArray(const Napi::Value& value) {
  std::vector<std::string> out;
  if (!value.IsArray()) return out;
  Napi::Array array = value.As<Napi::Array>();
  for (uint32_t i = 0; i < array.Length(); ++i) out.push_back(array.Get(i).ToString().Utf8Value());
  return out;
}

}  // namespace

// nvrtcCompile({ source, name, headerNames, headerSources, options, target: 'ptx'|'cubin' }) -> Promise
Napi::Value NvrtcCompile(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) {
    throw makeError(env, "INTERNAL", "nvrtcCompile expects a request object");
  }
  Napi::Object request = info[0].As<Napi::Object>();
  CompileRequest compile;
  compile.source = request.Get("source").ToString().Utf8Value();
  compile.name = request.Get("name").ToString().Utf8Value();
  compile.headerNames = stringArray(request.Get("headerNames"));
  compile.headerSources = stringArray(request.Get("headerSources"));
  compile.options = stringArray(request.Get("options"));
  compile.cubin = request.Get("target").ToString().Utf8Value() == "cubin";
  if (compile.headerNames.size() != compile.headerSources.size()) {
    throw makeError(env, "INTERNAL", "nvrtcCompile: headerNames and headerSources differ in length");
  }
  auto* worker = new NvrtcCompileWorker(env, std::move(compile));
  Napi::Promise promise = worker->promise();
  worker->Queue();
  return promise;
}

}  // namespace cubie
