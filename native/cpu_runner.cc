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
#include "run_args.h"
#include "run_worker.h"

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

// Hands chunks of runs to a pool of threads; this thread reports progress
// until they are done or the cancel flag stops them between chunks.
class CpuRunWorker : public RunWorker {
 public:
  CpuRunWorker(Napi::Env env, std::shared_ptr<CpuLibrary> library, std::vector<uint64_t> block, RunArgs& args,
               int threads, long long chunkRuns)
      : RunWorker(env, args.nRuns, std::move(args.js)),
        library_(std::move(library)),
        block_(std::move(block)),
        nRuns_(args.nRuns),
        threads_(threads),
        chunkRuns_(chunkRuns),
        cancel_(args.cancel) {}

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
        library_->runRange(block_.data(), begin, end);
        done.fetch_add(end - begin);
        finished.notify_one();
      }
    };
    std::vector<std::thread> pool;
    // A thread the system refuses must not take the process down: the ones started do the work.
    try {
      for (int i = 0; i < threads_; ++i) pool.emplace_back(work);
    } catch (const std::exception&) {
      if (pool.empty()) work();
    }
    long long reported = 0;
    {
      std::unique_lock<std::mutex> lock(mutex);
      while (done.load() < nRuns_ && !cancelled()) {
        finished.wait_for(lock, std::chrono::milliseconds(50));
        long long now = done.load();
        if (now != reported) {
          reported = now;
          report(progress, now);
        }
      }
    }
    for (std::thread& t : pool) t.join();
    if (done.load() != reported) report(progress, done.load());
    if (cancelled() && done.load() < nRuns_) SetError("cancelled");
  }

  void OnOK() override { deferred_.Resolve(Env().Undefined()); }
  void OnError(const Napi::Error& e) override {
    deferred_.Reject(makeError(Env(), "ABORTED", e.Message()).Value());
  }

 private:
  bool cancelled() const { return cancel_ != nullptr && __atomic_load_n(cancel_, __ATOMIC_RELAXED) != 0; }

  std::shared_ptr<CpuLibrary> library_;
  std::vector<uint64_t> block_;
  long long nRuns_;
  int threads_;
  long long chunkRuns_;
  int32_t* cancel_;
};

}  // namespace

// cpuRun(id, scalars: Float64Array, buffers: (TypedArray|null)[],
//        { threads, chunkRuns, cancel?: Int32Array(1), onProgress?(done, total) }) -> Promise<void>
Napi::Value CpuRun(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::shared_ptr<CpuLibrary> library = findLibrary(info[0].ToNumber().Int32Value());
  if (library == nullptr) throw makeError(env, "INTERNAL", "cpuRun: kernel library is not loaded");
  RunArgs args = readRunArgs(env, "cpuRun", info[1], info[2], info[3]);
  if (static_cast<int>(args.scalars.size()) != library->abi[1] || static_cast<int>(args.buffers.size()) != library->abi[2]) {
    throw makeError(env, "INTERNAL",
                    "cpuRun: argument slots do not match the kernel library (" + std::to_string(args.scalars.size()) + "/" +
                        std::to_string(args.buffers.size()) + " given, " + std::to_string(library->abi[1]) + "/" +
                        std::to_string(library->abi[2]) + " expected)");
  }
  // The kernel's one argument (kernel/cubie/args.h): the scalars' bits, then the buffer pointers.
  std::vector<uint64_t> block(args.scalars.size() + args.buffers.size());
  memcpy(block.data(), args.scalars.data(), args.scalars.size() * sizeof(double));
  for (size_t i = 0; i < args.buffers.size(); ++i) {
    block[args.scalars.size() + i] = reinterpret_cast<uint64_t>(args.buffers[i].data);
  }
  Napi::Object options = info[3].As<Napi::Object>();
  int threads = options.Get("threads").ToNumber().Int32Value();
  long long chunkRuns = options.Get("chunkRuns").ToNumber().Int64Value();
  auto* worker = new CpuRunWorker(env, library, std::move(block), args, threads < 1 ? 1 : threads, chunkRuns < 1 ? 1 : chunkRuns);
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
