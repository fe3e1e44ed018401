// The CUDA backend's batch: one set of runs spread over one or more devices,
// in plain C++ (cuda_runner.cc is its binding to JavaScript).
//
// The kernel argument is the same block the CPU runner passes (double
// s[S_COUNT], then void* b[n_buffers]). Buffers come in three roles: shared
// inputs (tolerances, driver tables) copied whole to each device once; per-run
// inputs and outputs laid out [rows][nRuns], of which a chunk of runs
// [begin, end) is the column block [rows][begin..end).
//
// Each device takes chunks of runs from a common cursor, so several devices
// split a batch by their speed (cuda_device_runner.h has what one device
// does). Progress is reported and cancellation checked between chunks.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "cuda_device.h"

namespace cubie {

enum BufferRole { ROLE_SHARED = 0, ROLE_INPUT = 1, ROLE_OUTPUT = 2 };

struct HostBuffer {
  char* data = nullptr;  // the caller's elements; nullptr for a null slot
  size_t bytes = 0;
  size_t elementBytes = 0;
  int role = ROLE_SHARED;
  size_t rows = 0;  // per-run buffers: elements / nRuns
  std::string name;  // for messages: "the saved states"
};

struct RunSettings {
  long long nRuns = 0;
  std::vector<double> scalars;
  std::vector<HostBuffer> buffers;
  int blockSize = 0;          // 0: from the occupancy calculator
  long long chunkRuns = 0;    // 0: automatic
  double maxDeviceBytes = 0;  // 0: no limit
  int32_t* cancel = nullptr;  // nonzero stops the batch between chunks
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

// How a batch ended. A batch that did not finish has exactly one of a driver
// failure, a plain error, or cancelled set; when it failed, the other devices
// stopped at their next chunk.
struct BatchOutcome {
  std::vector<DeviceReport> devices;
  double wallMs = 0;
  std::unique_ptr<CudaFailure> failure;
  std::unique_ptr<PlainError> plain;
  bool cancelled = false;
  // Modules dropped because the failure lost their device's context (JavaScript forgets them).
  std::vector<int> droppedModules;

  bool ok() const { return failure == nullptr && plain == nullptr && !cancelled; }
};

// Runs the batch on the modules' devices (one module per device), one thread
// each, and returns when all have stopped. `progress` is called on this
// thread with the runs finished so far. Never throws for a failure of the
// run itself: that is in the outcome.
BatchOutcome runBatch(const RunSettings& settings, const std::vector<std::shared_ptr<CudaModule>>& modules,
                      const std::function<void(long long done)>& progress);

}  // namespace cubie
