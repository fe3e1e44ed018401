// One device's pipeline. A device works two slots, each with its own
// stream, device memory and page-locked staging: while one slot's kernel
// runs, the other's results come back and its next inputs go over. A chunk's
// size comes from the free device memory (less the kernel's local memory and
// some headroom), the user's limit and the occupancy; when an allocation or a
// launch still runs out of memory, the chunk is halved and retried.
#include "cuda_device_runner.h"

#include <cmath>
#include <cstring>
#include <string>

namespace cubie {
namespace {

// The kernel ABI (kernel/cubie/args.h): scalar slot 0 is the number of runs.
constexpr int kScalarRuns = 0;
constexpr size_t kAlign = 256;
// Page-locked staging is bounded per slot unless the occupancy needs more.
constexpr double kStagingBytesPerSlot = 256.0 * 1024 * 1024;

size_t alignUp(size_t n) { return (n + kAlign - 1) / kAlign * kAlign; }

std::string runsText(long long begin, long long end) {
  return "runs " + std::to_string(begin) + ".." + std::to_string(end - 1);
}

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

class DeviceRunner {
 public:
  DeviceRunner(const RunSettings& settings, std::shared_ptr<CudaModule> module, int nDevices, BatchState& state,
               DeviceReport* report)
      : settings_(settings), module_(std::move(module)), device_(module_->context.device()), nDevices_(nDevices),
        state_(state), report_(*report) {
    report_.device = device_;
  }

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
      if (!state_.queue.take(chunk, &begin, &end)) break;
      try {
        enqueue(api, slot, begin, end);
      } catch (const CudaException& e) {
        if (!e.failure().outOfMemory() || chunk == 1) throw;
        // Out of memory at a launch (the kernel's local memory) or a copy: finish what is in
        // flight, free both slots and go on with half the chunk.
        slot.busy = false;
        state_.queue.giveBack(begin, end);
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
    std::lock_guard<std::mutex> lock(state_.mutex);
    return state_.failed;
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
    state_.done.fetch_add(runs);
    state_.changed.notify_one();
  }

  const RunSettings& settings_;
  std::shared_ptr<CudaModule> module_;
  int device_;
  int nDevices_;
  BatchState& state_;
  DeviceReport& report_;
  std::vector<CUdeviceptr> sharedPointers_;
  SlotLayout layout_{{}, 0};
  int blockSize_ = 0;
  double perRunBytes_ = 1;
};

}  // namespace

void runOnDevice(const RunSettings& settings, const std::shared_ptr<CudaModule>& module, int nDevices, BatchState& state,
                 DeviceReport* report) {
  DeviceRunner(settings, module, nDevices, state, report).run();
}

}  // namespace cubie
