// One device's part of a CUDA batch (cuda_scheduler.h), and the state the
// devices of a batch share.
#pragma once
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "cuda_device.h"
#include "cuda_scheduler.h"

namespace cubie {

// Hands out ranges of runs; a range given back (after running out of memory) goes out first.
class RunQueue {
 public:
  explicit RunQueue(long long total) : total_(total) {}

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

struct BatchState {
  explicit BatchState(long long total) : queue(total) {}
  RunQueue queue;
  std::atomic<long long> done{0};
  std::mutex mutex;
  std::condition_variable changed;  // a chunk finished, a device failed, or a thread ended
  // Guarded by mutex. The first failure of any device is kept; the others stop taking chunks.
  bool failed = false;
  int finishedThreads = 0;
  std::unique_ptr<CudaFailure> failure;
  std::unique_ptr<PlainError> plain;
};

// Runs chunks from state.queue on the module's device until the queue is
// empty, the batch is cancelled or another device failed. `report` is filled
// as it goes, so it is meaningful after a failure too. Throws CudaException
// or PlainError on a failure; a chunk that runs out of memory is halved and
// retried instead, and only a single run that does not fit is a failure.
void runOnDevice(const RunSettings& settings, const std::shared_ptr<CudaModule>& module, int nDevices, BatchState& state,
                 DeviceReport* report);

}  // namespace cubie
