// The CPU backend's runner: loads a kernel library built by the host
// compiler from the same source the GPU compiles, and spreads a batch of
// runs over native threads, off the JavaScript thread. Runs are handed out
// in chunks; progress is reported and cancellation checked between chunks.
#include <napi.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "dynlib.h"
#include "js_error.h"

namespace cubie {
namespace {

typedef int (*AbiFn)(int*);
typedef void (*RunRangeFn)(const void*, long long, long long);

struct CpuLibrary {
  DynLib lib;
  RunRangeFn runRange = nullptr;
  int abi[4] = {0, 0, 0, 0};  // version, scalar slots, buffer slots, sizeof(real)
  // The memfd a library image was loaded from stays open while the library is
  // loaded: the loader knows it by the name /proc/self/fd/N, and a reused N
  // would make a later dlopen return this library instead of the new one.
  int memfd = -1;
  ~CpuLibrary() {
    lib.close();
    if (memfd >= 0) close(memfd);
  }
};

std::mutex g_librariesMutex;
std::map<int, std::shared_ptr<CpuLibrary>> g_libraries;
int g_nextLibrary = 1;

std::shared_ptr<CpuLibrary> findLibrary(int id) {
  std::lock_guard<std::mutex> lock(g_librariesMutex);
  auto it = g_libraries.find(id);
  return it == g_libraries.end() ? nullptr : it->second;
}

// A kernel library verified in memory (the cache checks its checksum) is
// loaded from an anonymous memory file, so no path another process could
// swap between the check and the load is ever opened.
bool openFromMemory(CpuLibrary& library, const std::vector<char>& image, std::string* error) {
  int fd = memfd_create("cubie-kernel", MFD_CLOEXEC);
  if (fd < 0) {
    *error = std::string("memfd_create: ") + strerror(errno);
    return false;
  }
  size_t written = 0;
  while (written < image.size()) {
    ssize_t n = write(fd, image.data() + written, image.size() - written);
    if (n <= 0) {
      *error = std::string("writing the kernel image: ") + strerror(errno);
      close(fd);
      return false;
    }
    written += static_cast<size_t>(n);
  }
  if (!library.lib.open("/proc/self/fd/" + std::to_string(fd), false, error)) {
    close(fd);
    return false;
  }
  library.memfd = fd;
  return true;
}

class CpuLoadWorker : public PromiseWorker {
 public:
  CpuLoadWorker(Napi::Env env, std::string path, std::vector<char> image)
      : PromiseWorker(env), path_(std::move(path)), image_(std::move(image)) {}
  void Execute() override {
    auto library = std::make_shared<CpuLibrary>();
    std::string error;
    AbiFn abi = nullptr;
    bool opened = image_.empty() ? library->lib.open(path_, false, &error) : openFromMemory(*library, image_, &error);
    if (!opened || !library->lib.symbol("cubie_abi", &abi, &error) ||
        !library->lib.symbol("cubie_run_range", &library->runRange, &error)) {
      fail("HOST_COMPILE_FAILED", "cannot load kernel library " + (image_.empty() ? path_ : "(from memory)") + ": " + error);
      return;
    }
    abi(library->abi);
    std::lock_guard<std::mutex> lock(g_librariesMutex);
    id_ = g_nextLibrary++;
    g_libraries[id_] = library;
    abi_[0] = library->abi[0];
    abi_[1] = library->abi[1];
    abi_[2] = library->abi[2];
    abi_[3] = library->abi[3];
  }
  Napi::Value result(Napi::Env env) override {
    Napi::Object out = Napi::Object::New(env);
    out.Set("id", id_);
    out.Set("abiVersion", abi_[0]);
    out.Set("scalarSlots", abi_[1]);
    out.Set("bufferSlots", abi_[2]);
    out.Set("realBytes", abi_[3]);
    return out;
  }

 private:
  std::string path_;
  std::vector<char> image_;
  int id_ = 0;
  int abi_[4] = {0, 0, 0, 0};
};

// cpuLoad(path | Buffer) -> Promise<{ id, abiVersion, scalarSlots, bufferSlots, realBytes }>
Napi::Value CpuLoad(const Napi::CallbackInfo& info) {
  std::vector<char> image;
  std::string path;
  if (info[0].IsBuffer()) {
    Napi::Buffer<char> buffer = info[0].As<Napi::Buffer<char>>();
    image.assign(buffer.Data(), buffer.Data() + buffer.Length());
    if (image.empty()) throw makeError(info.Env(), "INTERNAL", "cpuLoad: empty kernel image");
  } else {
    path = info[0].ToString().Utf8Value();
  }
  auto* worker = new CpuLoadWorker(info.Env(), path, std::move(image));
  Napi::Promise promise = worker->promise();
  worker->Queue();
  return promise;
}

// cpuUnload(id): later runs of this id fail; a run in flight keeps its library alive.
Napi::Value CpuUnload(const Napi::CallbackInfo& info) {
  std::lock_guard<std::mutex> lock(g_librariesMutex);
  g_libraries.erase(info[0].ToNumber().Int32Value());
  return info.Env().Undefined();
}

struct Progress {
  long long done;
};

class CpuRunWorker : public Napi::AsyncProgressQueueWorker<Progress> {
 public:
  CpuRunWorker(Napi::Env env, std::shared_ptr<CpuLibrary> library, std::vector<uint64_t> args,
               long long nRuns, int threads, long long chunkRuns, int32_t* cancel,
               std::vector<Napi::ObjectReference> keepAlive, Napi::Function onProgress)
      : Napi::AsyncProgressQueueWorker<Progress>(env),
        deferred_(Napi::Promise::Deferred::New(env)),
        library_(std::move(library)),
        args_(std::move(args)),
        nRuns_(nRuns),
        threads_(threads),
        chunkRuns_(chunkRuns),
        cancel_(cancel),
        keepAlive_(std::move(keepAlive)) {
    if (!onProgress.IsEmpty()) onProgress_ = Napi::Persistent(onProgress);
  }

  Napi::Promise promise() { return deferred_.Promise(); }

  void Execute(const ExecutionProgress& progress) override {
    std::atomic<long long> next{0};
    std::atomic<long long> done{0};
    std::mutex mutex;
    std::condition_variable finished;
    auto work = [&]() {
      for (;;) {
        if (cancelled()) return;
        long long begin = next.fetch_add(chunkRuns_);
        if (begin >= nRuns_) return;
        long long end = begin + chunkRuns_ < nRuns_ ? begin + chunkRuns_ : nRuns_;
        library_->runRange(args_.data(), begin, end);
        done.fetch_add(end - begin);
        finished.notify_one();
      }
    };
    std::vector<std::thread> pool;
    for (int i = 0; i < threads_; ++i) pool.emplace_back(work);
    long long reported = 0;
    {
      std::unique_lock<std::mutex> lock(mutex);
      while (done.load() < nRuns_ && !cancelled()) {
        finished.wait_for(lock, std::chrono::milliseconds(50));
        long long now = done.load();
        if (now != reported) {
          reported = now;
          Progress p{now};
          progress.Send(&p, 1);
        }
      }
    }
    for (std::thread& t : pool) t.join();
    if (done.load() != reported) {
      Progress p{done.load()};
      progress.Send(&p, 1);
    }
    if (cancelled() && done.load() < nRuns_) SetError("cancelled");
  }

  void OnProgress(const Progress* data, size_t count) override {
    if (onProgress_.IsEmpty() || count == 0) return;
    Napi::HandleScope scope(Env());
    onProgress_.Call({Napi::Number::New(Env(), static_cast<double>(data[count - 1].done)),
                      Napi::Number::New(Env(), static_cast<double>(nRuns_))});
  }
  void OnOK() override { deferred_.Resolve(Env().Undefined()); }
  void OnError(const Napi::Error& e) override {
    deferred_.Reject(makeError(Env(), "ABORTED", e.Message()).Value());
  }

 private:
  bool cancelled() const { return cancel_ != nullptr && __atomic_load_n(cancel_, __ATOMIC_RELAXED) != 0; }

  Napi::Promise::Deferred deferred_;
  std::shared_ptr<CpuLibrary> library_;
  std::vector<uint64_t> args_;
  long long nRuns_;
  int threads_;
  long long chunkRuns_;
  int32_t* cancel_;
  std::vector<Napi::ObjectReference> keepAlive_;
  Napi::FunctionReference onProgress_;
};

// The element data of a typed array (offset applied), or nullptr when empty.
void* typedArrayData(const Napi::Value& value) {
  if (value.IsNull() || value.IsUndefined()) return nullptr;
  napi_typedarray_type type;
  size_t length = 0;
  void* data = nullptr;
  napi_value buffer;
  size_t offset = 0;
  if (napi_get_typedarray_info(value.Env(), value, &type, &length, &data, &buffer, &offset) != napi_ok) return nullptr;
  return length == 0 ? nullptr : data;
}

}  // namespace

// cpuRun(id, scalars: Float64Array, buffers: (TypedArray|null)[],
//        { threads, chunkRuns, cancel?: Int32Array(1), onProgress?(done, total) }) -> Promise<void>
Napi::Value CpuRun(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::shared_ptr<CpuLibrary> library = findLibrary(info[0].ToNumber().Int32Value());
  if (library == nullptr) throw makeError(env, "INTERNAL", "cpuRun: kernel library is not loaded");
  Napi::Float64Array scalars = info[1].As<Napi::Float64Array>();
  Napi::Array buffers = info[2].As<Napi::Array>();
  Napi::Object options = info[3].As<Napi::Object>();
  if (static_cast<int>(scalars.ElementLength()) != library->abi[1] ||
      static_cast<int>(buffers.Length()) != library->abi[2]) {
    throw makeError(env, "INTERNAL",
                    "cpuRun: argument slots do not match the kernel library (" +
                        std::to_string(scalars.ElementLength()) + "/" + std::to_string(buffers.Length()) +
                        " given, " + std::to_string(library->abi[1]) + "/" + std::to_string(library->abi[2]) +
                        " expected)");
  }
  std::vector<uint64_t> args(scalars.ElementLength() + buffers.Length());
  std::vector<Napi::ObjectReference> keepAlive;
  memcpy(args.data(), scalars.Data(), scalars.ElementLength() * sizeof(double));
  for (uint32_t i = 0; i < buffers.Length(); ++i) {
    Napi::Value buffer = buffers.Get(i);
    if (!buffer.IsNull() && !buffer.IsUndefined() && !buffer.IsTypedArray()) {
      throw makeError(env, "INTERNAL", "cpuRun: buffer " + std::to_string(i) + " is not a typed array");
    }
    void* data = typedArrayData(buffer);
    args[scalars.ElementLength() + i] = reinterpret_cast<uint64_t>(data);
    if (data != nullptr) keepAlive.push_back(Napi::Persistent(buffer.As<Napi::Object>()));
  }
  long long nRuns = static_cast<long long>(scalars[0]);
  int threads = options.Get("threads").ToNumber().Int32Value();
  long long chunkRuns = options.Get("chunkRuns").ToNumber().Int64Value();
  int32_t* cancel = nullptr;
  Napi::Value cancelValue = options.Get("cancel");
  if (cancelValue.IsTypedArray()) {
    cancel = static_cast<int32_t*>(typedArrayData(cancelValue));
    keepAlive.push_back(Napi::Persistent(cancelValue.As<Napi::Object>()));
  }
  Napi::Value progress = options.Get("onProgress");
  auto* worker = new CpuRunWorker(env, library, std::move(args), nRuns, threads < 1 ? 1 : threads,
                                  chunkRuns < 1 ? 1 : chunkRuns, cancel, std::move(keepAlive),
                                  progress.IsFunction() ? progress.As<Napi::Function>() : Napi::Function());
  Napi::Promise promise = worker->promise();
  worker->Queue();
  return promise;
}

void RegisterCpuRunner(Napi::Env env, Napi::Object exports) {
  exports.Set("cpuLoad", Napi::Function::New(env, CpuLoad));
  exports.Set("cpuUnload", Napi::Function::New(env, CpuUnload));
  exports.Set("cpuRun", Napi::Function::New(env, CpuRun));
}

}  // namespace cubie
