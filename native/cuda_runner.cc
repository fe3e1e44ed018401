// The CUDA backend's runner: one batch of runs over one or more devices, off
// the JavaScript thread.
//
// The kernel argument is the same block the CPU runner passes (double
// s[S_COUNT], then void* b[n_buffers]). Buffers come in three roles: shared
// inputs (tolerances, driver tables) copied whole to each device once; per-run
// inputs and outputs laid out [rows][nRuns], of which a chunk of runs
// [begin, end) is the column block [rows][begin..end).
//
// Each device takes chunks of runs from a common cursor, so several devices
// split a batch by their speed. A device works two slots, each with its own
// stream, device memory and page-locked staging: while one slot's kernel
// runs, the other's results come back and its next inputs go over. A chunk's
// size comes from the free device memory (less the kernel's local memory and
// some headroom), the user's limit and the occupancy; when an allocation or a
// launch still runs out of memory, the chunk is halved and retried, and only
// a single run that does not fit is an error. Progress is reported and
// cancellation checked between chunks.
#include <napi.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cmath>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "cuda_device.h"
#include "js_error.h"

namespace cubie {
namespace {

enum BufferRole { ROLE_SHARED = 0, ROLE_INPUT = 1, ROLE_OUTPUT = 2 };

// The kernel ABI (kernel/cubie/args.h): scalar slot 0 is the number of runs.
constexpr int kScalarRuns = 0;
constexpr size_t kAlign = 256;
// Page-locked staging is bounded per slot unless the occupancy needs more.
constexpr double kStagingBytesPerSlot = 256.0 * 1024 * 1024;

size_t alignUp(size_t n) { return (n + kAlign - 1) / kAlign * kAlign; }

std::string runsText(long long begin, long long end) {
  return "runs " + std::to_string(begin) + ".." + std::to_string(end - 1);
}

struct HostBuffer {
  char* data = nullptr;  // the typed array's elements; nullptr for a null slot
  size_t bytes = 0;
  size_t elementBytes = 0;
  int role = ROLE_SHARED;
  size_t rows = 0;  // per-run buffers: elements / nRuns
  std::string name;
};

struct RunSettings {
  long long nRuns = 0;
  std::vector<double> scalars;
  std::vector<HostBuffer> buffers;
  int blockSize = 0;         // 0: from the occupancy calculator
  long long chunkRuns = 0;   // 0: automatic
  double maxDeviceBytes = 0; // 0: no limit
  int32_t* cancel = nullptr;
};

struct DeviceReport {
  int device = 0;
  long long runs = 0;
  int chunks = 0;
  long long chunkRuns = 0;
  int blockSize = 0;
  int outOfMemoryRetries = 0;
  double kernelMs = 0;
  double transferMs = 0;
  double deviceBytes = 0;
  double pinnedBytes = 0;
};

// Hands out ranges of runs; a range given back (after running out of memory) goes out first.
class Scheduler {
 public:
  explicit Scheduler(long long total) : total_(total) {}

  bool take(long long most, long long* begin, long long* end) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopped_) return false;
    if (!returned_.empty()) {
      std::pair<long long, long long>& r = returned_.back();
      *begin = r.first;
      *end = std::min(r.second, r.first + most);
      r.first = *end;
      if (r.first >= r.second) returned_.pop_back();
      return true;
    }
    if (next_ >= total_) return false;
    *begin = next_;
    *end = std::min(total_, next_ + most);
    next_ = *end;
    return true;
  }
  void giveBack(long long begin, long long end) {
    std::lock_guard<std::mutex> lock(mutex_);
    returned_.push_back({begin, end});
  }
  void stop() {
    std::lock_guard<std::mutex> lock(mutex_);
    stopped_ = true;
  }

 private:
  std::mutex mutex_;
  long long total_;
  long long next_ = 0;
  bool stopped_ = false;
  std::vector<std::pair<long long, long long>> returned_;
};

// Where each per-run buffer lies in a slot's device memory and staging, for a chunk capacity.
struct SlotLayout {
  std::vector<size_t> offsets;  // per buffer; meaningful for per-run buffers only
  size_t bytes = 0;

  SlotLayout(const std::vector<HostBuffer>& buffers, long long capacity) : offsets(buffers.size(), 0) {
    for (size_t i = 0; i < buffers.size(); ++i) {
      const HostBuffer& b = buffers[i];
      if (b.data == nullptr || b.role == ROLE_SHARED) continue;
      offsets[i] = bytes;
      bytes += alignUp(b.rows * b.elementBytes * static_cast<size_t>(capacity));
    }
    if (bytes == 0) bytes = kAlign;
  }
};

// One of a device's two pipelines: a stream, its events, device buffers and staging. Each
// buffer is an allocation of its own, so that a kernel running past one faults (or, under
// compute-sanitizer or the driver test double, is caught) instead of overwriting the next.
struct Slot {
  Slot(int device, const std::vector<HostBuffer>& buffers, const SlotLayout& layout, long long capacity)
      : stream(device), started(device), copiedIn(device), computed(device), done(device), memory(buffers.size()) {
    for (size_t i = 0; i < buffers.size(); ++i) {
      const HostBuffer& b = buffers[i];
      if (b.data == nullptr || b.role == ROLE_SHARED) continue;
      memory[i] = DeviceMemory(b.rows * b.elementBytes * static_cast<size_t>(capacity), device,
                               b.name + " of a chunk of " + std::to_string(capacity) + " runs");
    }
    staging = PinnedMemory(layout.bytes, device, "staging a chunk of " + std::to_string(capacity) + " runs");
  }
  // Copies in flight read the staging and the device memory: wait for them before both are freed.
  ~Slot() { stream.drainQuietly(); }

  Stream stream;
  Event started, copiedIn, computed, done;
  std::vector<DeviceMemory> memory;  // per buffer; empty for shared and null ones
  PinnedMemory staging;
  bool busy = false;
  long long begin = 0;
  long long end = 0;
};

struct Shared {
  explicit Shared(long long total) : scheduler(total) {}
  Scheduler scheduler;
  std::atomic<long long> done{0};
  std::mutex mutex;
  std::condition_variable changed;
  // The first failure of any device; the others stop taking chunks.
  bool failed = false;
  int finishedThreads = 0;
  CudaFailure failure;
  std::unique_ptr<PlainError> plain;
};

class DeviceRunner {
 public:
  DeviceRunner(const RunSettings& settings, std::shared_ptr<CudaModule> module, int nDevices, Shared& shared)
      : settings_(settings), module_(std::move(module)), device_(module_->context.device()), nDevices_(nDevices),
        shared_(shared) {
    report_.device = device_;
  }

  const DeviceReport& report() const { return report_; }

  void run() {
    const CudaApi& api = cudaApi();
    ScopedCurrent current(module_->context.get(), device_);  // declared first: everything below is freed before the pop
    std::vector<DeviceMemory> shared(settings_.buffers.size());
    sharedPointers_.assign(settings_.buffers.size(), 0);
    double sharedBytes = 0;
    for (size_t i = 0; i < settings_.buffers.size(); ++i) {
      const HostBuffer& b = settings_.buffers[i];
      if (b.data == nullptr || b.role != ROLE_SHARED) continue;
      shared[i] = DeviceMemory(b.bytes, device_, b.name);
      check(api.MemcpyHtoD(shared[i].get(), b.data, b.bytes), "cuMemcpyHtoD_v2", device_,
            [&] { return "copying " + b.name + " (" + formatBytes(static_cast<double>(b.bytes)) + ") to the device"; });
      sharedPointers_[i] = shared[i].get();
      sharedBytes += static_cast<double>(b.bytes);
    }
    chooseBlockSize(api);
    long long chunk = initialChunk(api, sharedBytes);
    std::vector<std::unique_ptr<Slot>> slots = allocateSlots(chunk);
    int next = 0;
    for (;;) {
      Slot& slot = *slots[next];
      if (slot.busy) finish(api, slot);
      if (shouldStop()) break;
      long long begin = 0, end = 0;
      if (!shared_.scheduler.take(chunk, &begin, &end)) break;
      try {
        enqueue(api, slot, begin, end);
      } catch (const CudaException& e) {
        if (!e.failure().outOfMemory() || chunk == 1) throw;
        // Out of memory at a launch (the kernel's local memory) or a copy: finish what is in
        // flight, free both slots and go on with half the chunk.
        slot.busy = false;
        shared_.scheduler.giveBack(begin, end);
        for (std::unique_ptr<Slot>& other : slots) {
          if (other->busy) finish(api, *other);
        }
        slots.clear();
        chunk = std::max(1LL, chunk / 2);
        ++report_.outOfMemoryRetries;
        slots = allocateSlots(chunk);
        next = 0;
        continue;
      }
      next ^= 1;
    }
    for (int k = 0; k < 2; ++k) {
      Slot& slot = *slots[(next + k) % 2];
      if (slot.busy) finish(api, slot);
    }
  }

 private:
  bool shouldStop() {
    if (settings_.cancel != nullptr && __atomic_load_n(settings_.cancel, __ATOMIC_RELAXED) != 0) return true;
    std::lock_guard<std::mutex> lock(shared_.mutex);
    return shared_.failed;
  }

  void chooseBlockSize(const CudaApi& api) {
    if (settings_.blockSize > 0) {
      blockSize_ = settings_.blockSize;
    } else {
      int minGrid = 0, block = 0;
      check(api.OccupancyMaxPotentialBlockSize(&minGrid, &block, module_->function, nullptr, 0, 0),
            "cuOccupancyMaxPotentialBlockSize", device_, [] { return std::string("choosing the block size"); });
      blockSize_ = block > 0 ? block : 128;
    }
    if (blockSize_ > module_->maxThreadsPerBlock) {
      throw PlainError("INVALID_OPTION", "blockSize " + std::to_string(blockSize_) + " is more than this kernel allows on device " +
                                             std::to_string(device_) + " (" + std::to_string(module_->maxThreadsPerBlock) + " threads)");
    }
    report_.blockSize = blockSize_;
  }

  // Runs per chunk: what the free memory holds in two slots, at least a full
  // device of resident threads, about four chunks per device so transfers
  // overlap compute, and bounded staging; or the user's chunkRuns.
  long long initialChunk(const CudaApi& api, double sharedBytes) {
    size_t freeBytes = 0, totalBytes = 0;
    check(api.MemGetInfo(&freeBytes, &totalBytes), "cuMemGetInfo_v2", device_,
          [] { return std::string("reading the free device memory"); });
    std::vector<CudaDeviceInfo> devices;
    std::string error;
    int multiprocessors = 1, threadsPerMultiprocessor = 2048;
    if (queryDevices(api, &devices, &error) && device_ < static_cast<int>(devices.size())) {
      multiprocessors = std::max(1, devices[device_].multiprocessors);
      threadsPerMultiprocessor = std::max(1, devices[device_].maxThreadsPerMultiprocessor);
    }
    int blocksPerMultiprocessor = 0;
    check(api.OccupancyMaxActiveBlocksPerMultiprocessor(&blocksPerMultiprocessor, module_->function, blockSize_, 0),
          "cuOccupancyMaxActiveBlocksPerMultiprocessor", device_, [] { return std::string("reading the occupancy"); });
    const double resident = std::max(1.0, static_cast<double>(blocksPerMultiprocessor) * blockSize_ * multiprocessors);
    // The driver reserves the kernel's local memory for every resident thread at launch.
    const double localReserve = static_cast<double>(module_->localBytes) * threadsPerMultiprocessor * multiprocessors;
    const double free = static_cast<double>(freeBytes);
    double budget = free - std::min(256.0 * 1024 * 1024, free / 16) - localReserve - sharedBytes;
    if (settings_.maxDeviceBytes > 0) budget = std::min(budget, settings_.maxDeviceBytes - sharedBytes);
    double perRun = 0;
    for (const HostBuffer& b : settings_.buffers) {
      if (b.data != nullptr && b.role != ROLE_SHARED) perRun += static_cast<double>(b.rows * b.elementBytes);
    }
    perRunBytes_ = std::max(perRun, 1.0);
    // The driver rounds each allocation up (and the staging aligns each buffer): kAlign bytes apiece.
    double padding = 0;
    for (const HostBuffer& b : settings_.buffers) {
      if (b.data != nullptr && b.role != ROLE_SHARED) padding += kAlign;
    }
    const double fits = std::floor((budget / 2 - padding) / perRunBytes_);
    const double share = std::ceil(static_cast<double>(settings_.nRuns) / nDevices_);
    double chunk;
    if (settings_.chunkRuns > 0) {
      chunk = static_cast<double>(settings_.chunkRuns);
    } else {
      chunk = std::max(resident, std::ceil(share / 4));
      chunk = std::min(chunk, std::max(resident, std::floor(kStagingBytesPerSlot / perRunBytes_)));
    }
    chunk = std::min({chunk, share, fits});
    return chunk < 1 ? 1 : static_cast<long long>(chunk);
  }

  std::vector<std::unique_ptr<Slot>> allocateSlots(long long& chunk) {
    for (;;) {
      try {
        SlotLayout layout(settings_.buffers, chunk);
        std::vector<std::unique_ptr<Slot>> slots;
        slots.push_back(std::make_unique<Slot>(device_, settings_.buffers, layout, chunk));
        slots.push_back(std::make_unique<Slot>(device_, settings_.buffers, layout, chunk));
        layout_ = layout;
        report_.chunkRuns = chunk;
        double deviceBytes = 0;
        for (const DeviceMemory& m : slots[0]->memory) deviceBytes += static_cast<double>(m.bytes());
        report_.deviceBytes = std::max(report_.deviceBytes, 2.0 * deviceBytes);
        report_.pinnedBytes = std::max(report_.pinnedBytes, 2.0 * layout.bytes);
        return slots;
      } catch (const CudaException& e) {
        if (!e.failure().outOfMemory()) throw;
        if (chunk == 1) {
          CudaFailure f = e.failure();
          f.doing += "; a single run needs " + formatBytes(perRunBytes_) +
                     " of device memory for its inputs and outputs (fewer saves or outputs need less)";
          throw CudaException(f);
        }
        chunk = std::max(1LL, chunk / 2);
        ++report_.outOfMemoryRetries;
      }
    }
  }

  void enqueue(const CudaApi& api, Slot& slot, long long begin, long long end) {
    const long long runs = end - begin;
    const std::vector<HostBuffer>& buffers = settings_.buffers;
    CUstream stream = slot.stream.get();
    auto doing = [&](const char* what) { return [=] { return std::string(what) + " for " + runsText(begin, end); }; };
    check(api.EventRecord(slot.started.get(), stream), "cuEventRecord", device_, doing("timing the chunk"));
    // Inputs: gather each row's slice of the batch into the staging, then one copy per buffer.
    for (size_t i = 0; i < buffers.size(); ++i) {
      const HostBuffer& b = buffers[i];
      if (b.data == nullptr || b.role != ROLE_INPUT) continue;
      const size_t slice = static_cast<size_t>(runs) * b.elementBytes;
      char* staged = slot.staging.get() + layout_.offsets[i];
      for (size_t r = 0; r < b.rows; ++r) {
        memcpy(staged + r * slice, b.data + (r * settings_.nRuns + begin) * b.elementBytes, slice);
      }
      check(api.MemcpyHtoDAsync(slot.memory[i].get(), staged, b.rows * slice, stream),
            "cuMemcpyHtoDAsync_v2", device_, [&] { return "copying " + b.name + " to the device for " + runsText(begin, end); });
    }
    // Outputs start as zeros, as the host arrays of the CPU backend do: a value the kernel
    // leaves unwritten reads the same on both backends.
    for (size_t i = 0; i < buffers.size(); ++i) {
      const HostBuffer& b = buffers[i];
      if (b.data == nullptr || b.role != ROLE_OUTPUT) continue;
      check(api.MemsetD8Async(slot.memory[i].get(), 0, b.rows * static_cast<size_t>(runs) * b.elementBytes, stream),
            "cuMemsetD8Async", device_, [&] { return "clearing " + b.name + " for " + runsText(begin, end); });
    }
    check(api.EventRecord(slot.copiedIn.get(), stream), "cuEventRecord", device_, doing("timing the chunk"));
    // The kernel argument: the scalars with this chunk's run count, then the buffer pointers.
    std::vector<uint64_t> args(settings_.scalars.size() + buffers.size(), 0);
    memcpy(args.data(), settings_.scalars.data(), settings_.scalars.size() * sizeof(double));
    double chunkRuns = static_cast<double>(runs);
    memcpy(&args[kScalarRuns], &chunkRuns, sizeof(double));
    for (size_t i = 0; i < buffers.size(); ++i) {
      const HostBuffer& b = buffers[i];
      CUdeviceptr p = 0;
      if (b.data != nullptr) p = b.role == ROLE_SHARED ? sharedPointers_[i] : slot.memory[i].get();
      args[settings_.scalars.size() + i] = static_cast<uint64_t>(p);
    }
    void* params[] = {args.data()};
    const long long grid = (runs + blockSize_ - 1) / blockSize_;
    check(api.LaunchKernel(module_->function, static_cast<unsigned int>(grid), 1, 1, static_cast<unsigned int>(blockSize_), 1, 1, 0,
                           stream, params, nullptr),
          "cuLaunchKernel", device_, [&] {
            return "launching the kernel (" + std::to_string(grid) + " blocks of " + std::to_string(blockSize_) + " threads) for " +
                   runsText(begin, end);
          });
    check(api.EventRecord(slot.computed.get(), stream), "cuEventRecord", device_, doing("timing the chunk"));
    for (size_t i = 0; i < buffers.size(); ++i) {
      const HostBuffer& b = buffers[i];
      if (b.data == nullptr || b.role != ROLE_OUTPUT) continue;
      check(api.MemcpyDtoHAsync(slot.staging.get() + layout_.offsets[i], slot.memory[i].get(),
                                b.rows * static_cast<size_t>(runs) * b.elementBytes, stream),
            "cuMemcpyDtoHAsync_v2", device_, [&] { return "copying " + b.name + " back from the device for " + runsText(begin, end); });
    }
    check(api.EventRecord(slot.done.get(), stream), "cuEventRecord", device_, doing("marking the end of the chunk"));
    slot.busy = true;
    slot.begin = begin;
    slot.end = end;
  }

  // Waits for a slot's chunk and scatters its results into the batch's arrays.
  void finish(const CudaApi& api, Slot& slot) {
    const long long begin = slot.begin, end = slot.end, runs = end - begin;
    slot.busy = false;
    check(api.EventSynchronize(slot.done.get()), "cuEventSynchronize", device_,
          [&] { return "waiting for the kernel and the copies of " + runsText(begin, end); });
    float copyIn = 0, compute = 0, copyOut = 0;
    if (api.EventElapsedTime(&copyIn, slot.started.get(), slot.copiedIn.get()) == CUDA_SUCCESS &&
        api.EventElapsedTime(&compute, slot.copiedIn.get(), slot.computed.get()) == CUDA_SUCCESS &&
        api.EventElapsedTime(&copyOut, slot.computed.get(), slot.done.get()) == CUDA_SUCCESS) {
      report_.transferMs += copyIn + copyOut;
      report_.kernelMs += compute;
    }
    for (size_t i = 0; i < settings_.buffers.size(); ++i) {
      const HostBuffer& b = settings_.buffers[i];
      if (b.data == nullptr || b.role != ROLE_OUTPUT) continue;
      const size_t slice = static_cast<size_t>(runs) * b.elementBytes;
      const char* staged = slot.staging.get() + layout_.offsets[i];
      for (size_t r = 0; r < b.rows; ++r) {
        memcpy(b.data + (r * settings_.nRuns + begin) * b.elementBytes, staged + r * slice, slice);
      }
    }
    report_.runs += runs;
    ++report_.chunks;
    shared_.done.fetch_add(runs);
    shared_.changed.notify_one();
  }

  const RunSettings& settings_;
  std::shared_ptr<CudaModule> module_;
  int device_;
  int nDevices_;
  Shared& shared_;
  DeviceReport report_;
  std::vector<CUdeviceptr> sharedPointers_;
  SlotLayout layout_{{}, 0};
  int blockSize_ = 0;
  double perRunBytes_ = 1;
};

struct Progress {
  long long done;
};

class CudaRunWorker : public Napi::AsyncProgressQueueWorker<Progress> {
 public:
  CudaRunWorker(Napi::Env env, std::vector<std::shared_ptr<CudaModule>> modules, RunSettings settings,
                std::vector<Napi::ObjectReference> keepAlive, Napi::Function onProgress)
      : Napi::AsyncProgressQueueWorker<Progress>(env),
        deferred_(Napi::Promise::Deferred::New(env)),
        modules_(std::move(modules)),
        settings_(std::move(settings)),
        keepAlive_(std::move(keepAlive)) {
    if (!onProgress.IsEmpty()) onProgress_ = Napi::Persistent(onProgress);
  }

  Napi::Promise promise() { return deferred_.Promise(); }

  void Execute(const ExecutionProgress& progress) override {
    const auto started = std::chrono::steady_clock::now();
    if (settings_.nRuns == 0) return;
    Shared shared(settings_.nRuns);
    std::vector<std::unique_ptr<DeviceRunner>> runners;
    for (const std::shared_ptr<CudaModule>& module : modules_) {
      runners.push_back(std::make_unique<DeviceRunner>(settings_, module, static_cast<int>(modules_.size()), shared));
    }
    std::vector<std::thread> threads;
    for (std::unique_ptr<DeviceRunner>& runner : runners) {
      DeviceRunner* r = runner.get();
      threads.emplace_back([r, &shared] {
        auto fail = [&](auto record) {
          {
            std::lock_guard<std::mutex> lock(shared.mutex);
            if (!shared.failed) record();
            shared.failed = true;
          }
          shared.scheduler.stop();
          shared.changed.notify_one();
        };
        try {
          r->run();
        } catch (const CudaException& e) {
          fail([&] { shared.failure = e.failure(); });
        } catch (const PlainError& e) {
          fail([&] { shared.plain.reset(new PlainError(e)); });
        } catch (const std::exception& e) {
          fail([&] { shared.plain.reset(new PlainError("INTERNAL", std::string("CUDA runner: ") + e.what())); });
        }
        std::lock_guard<std::mutex> lock(shared.mutex);
        ++shared.finishedThreads;
        shared.changed.notify_one();
      });
    }
    long long reported = 0;
    {
      std::unique_lock<std::mutex> lock(shared.mutex);
      while (shared.finishedThreads < static_cast<int>(threads.size())) {
        shared.changed.wait_for(lock, std::chrono::milliseconds(50));
        long long now = shared.done.load();
        if (now != reported) {
          reported = now;
          Progress p{now};
          progress.Send(&p, 1);
        }
      }
    }
    for (std::thread& t : threads) t.join();
    for (std::unique_ptr<DeviceRunner>& runner : runners) reports_.push_back(runner->report());
    wallMs_ = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    if (shared.done.load() != reported) {
      Progress p{shared.done.load()};
      progress.Send(&p, 1);
    }
    if (shared.failed) {
      if (shared.plain) {
        plain_ = std::move(shared.plain);
        SetError(plain_->what());
      } else {
        failure_ = shared.failure;
        hasFailure_ = true;
        if (failure_.contextLost()) {
          PrimaryContext::markLost(failure_.device);
          lostModules_ = dropModulesOf(failure_.device);
        }
        SetError(failure_.message());
      }
    } else if (shared.done.load() < settings_.nRuns) {
      cancelled_ = true;
      SetError("the solve was cancelled between chunks");
    }
  }

  void OnProgress(const Progress* data, size_t count) override {
    if (onProgress_.IsEmpty() || count == 0) return;
    Napi::HandleScope scope(Env());
    onProgress_.Call({Napi::Number::New(Env(), static_cast<double>(data[count - 1].done)),
                      Napi::Number::New(Env(), static_cast<double>(settings_.nRuns))});
  }

  void OnOK() override {
    Napi::Env env = Env();
    Napi::Object out = Napi::Object::New(env);
    Napi::Array devices = Napi::Array::New(env, reports_.size());
    double kernelMs = 0, transferMs = 0;
    for (size_t i = 0; i < reports_.size(); ++i) {
      const DeviceReport& r = reports_[i];
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
    out.Set("wallMs", wallMs_);
    deferred_.Resolve(out);
  }

  void OnError(const Napi::Error& e) override {
    Napi::Env env = Env();
    if (plain_) {
      deferred_.Reject(makeError(env, plain_->code(), plain_->what()).Value());
    } else if (hasFailure_) {
      Napi::Error error = failure_.toError(env);
      Napi::Array lost = Napi::Array::New(env, lostModules_.size());
      for (size_t i = 0; i < lostModules_.size(); ++i) lost.Set(static_cast<uint32_t>(i), lostModules_[i]);
      error.Set("droppedModules", lost);
      deferred_.Reject(error.Value());
    } else {
      deferred_.Reject(makeError(env, cancelled_ ? "ABORTED" : "INTERNAL", e.Message()).Value());
    }
  }

 private:
  Napi::Promise::Deferred deferred_;
  std::vector<std::shared_ptr<CudaModule>> modules_;
  RunSettings settings_;
  std::vector<Napi::ObjectReference> keepAlive_;
  Napi::FunctionReference onProgress_;
  std::vector<DeviceReport> reports_;
  double wallMs_ = 0;
  CudaFailure failure_;
  bool hasFailure_ = false;
  bool cancelled_ = false;
  std::vector<int> lostModules_;
  std::unique_ptr<PlainError> plain_;
};

size_t elementBytes(napi_typedarray_type type) {
  switch (type) {
    case napi_int8_array:
    case napi_uint8_array:
    case napi_uint8_clamped_array:
      return 1;
    case napi_int16_array:
    case napi_uint16_array:
      return 2;
    case napi_int32_array:
    case napi_uint32_array:
    case napi_float32_array:
      return 4;
    default:
      return 8;
  }
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
  Napi::Array ids = info[0].As<Napi::Array>();
  Napi::Float64Array scalars = info[1].As<Napi::Float64Array>();
  Napi::Array buffers = info[2].As<Napi::Array>();
  Napi::Int32Array roles = info[3].As<Napi::Int32Array>();
  Napi::Array names = info[4].As<Napi::Array>();
  Napi::Object options = info[5].As<Napi::Object>();
  if (roles.ElementLength() != buffers.Length() || names.Length() != buffers.Length() || scalars.ElementLength() < 1) {
    throw makeError(env, "INTERNAL", "cudaRun: buffers, roles and names differ in length");
  }

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

  RunSettings settings;
  const double runs = scalars[kScalarRuns];
  if (!(runs >= 0) || runs != std::floor(runs)) throw makeError(env, "INTERNAL", "cudaRun: the run count is not a whole number");
  settings.nRuns = static_cast<long long>(runs);
  settings.scalars.assign(scalars.Data(), scalars.Data() + scalars.ElementLength());
  std::vector<Napi::ObjectReference> keepAlive;
  for (uint32_t i = 0; i < buffers.Length(); ++i) {
    Napi::Value value = buffers.Get(i);
    HostBuffer b;
    b.role = roles[i];
    b.name = names.Get(i).ToString().Utf8Value();
    if (!value.IsNull() && !value.IsUndefined()) {
      if (!value.IsTypedArray()) throw makeError(env, "INTERNAL", "cudaRun: buffer " + std::to_string(i) + " is not a typed array");
      napi_typedarray_type type;
      size_t length = 0;
      void* data = nullptr;
      napi_value arrayBuffer;
      size_t offset = 0;
      if (napi_get_typedarray_info(env, value, &type, &length, &data, &arrayBuffer, &offset) != napi_ok) {
        throw makeError(env, "INTERNAL", "cudaRun: cannot read buffer " + std::to_string(i));
      }
      if (length > 0) {
        b.data = static_cast<char*>(data);
        b.elementBytes = elementBytes(type);
        b.bytes = length * b.elementBytes;
        if (b.role != ROLE_SHARED) {
          if (settings.nRuns == 0 || length % static_cast<size_t>(settings.nRuns) != 0) {
            throw makeError(env, "INTERNAL", "cudaRun: " + b.name + " has " + std::to_string(length) +
                                                 " elements, not a multiple of the " + std::to_string(settings.nRuns) + " runs");
          }
          b.rows = length / static_cast<size_t>(settings.nRuns);
        }
        keepAlive.push_back(Napi::Persistent(value.As<Napi::Object>()));
      }
    }
    settings.buffers.push_back(b);
  }
  settings.blockSize = options.Get("blockSize").ToNumber().Int32Value();
  settings.chunkRuns = options.Get("chunkRuns").ToNumber().Int64Value();
  settings.maxDeviceBytes = options.Get("maxDeviceBytes").ToNumber().DoubleValue();
  Napi::Value cancel = options.Get("cancel");
  if (cancel.IsTypedArray()) {
    settings.cancel = static_cast<int32_t*>(cancel.As<Napi::Int32Array>().Data());
    keepAlive.push_back(Napi::Persistent(cancel.As<Napi::Object>()));
  }
  Napi::Value progress = options.Get("onProgress");
  auto* worker = new CudaRunWorker(env, std::move(modules), std::move(settings), std::move(keepAlive),
                                   progress.IsFunction() ? progress.As<Napi::Function>() : Napi::Function());
  Napi::Promise promise = worker->promise();
  worker->Queue();
  return promise;
}

void RegisterCudaRunner(Napi::Env env, Napi::Object exports) {
  exports.Set("cudaRun", Napi::Function::New(env, CudaRun));
}

}  // namespace cubie
