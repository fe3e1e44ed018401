#include "cuda_scheduler.h"

#include <chrono>
#include <exception>
#include <string>
#include <thread>

#include "cuda_device_runner.h"

namespace cubie {
namespace {

// Keeps the first failure and stops the queue, so the other devices finish their chunks in flight and stop.
template <typename Record>
void fail(BatchState& state, Record record) {
  {
    std::lock_guard<std::mutex> lock(state.mutex);
    if (!state.failed) record();
    state.failed = true;
  }
  state.queue.stop();
  state.changed.notify_one();
}

// A device's thread. Whatever it throws ends up in the state: an exception
// leaving a thread would end the process.
void deviceThread(const RunSettings& settings, const std::shared_ptr<CudaModule>& module, int nDevices, BatchState& state,
                  DeviceReport* report) {
  try {
    runOnDevice(settings, module, nDevices, state, report);
  } catch (const CudaException& e) {
    fail(state, [&] { state.failure.reset(new CudaFailure(e.failure())); });
  } catch (const PlainError& e) {
    fail(state, [&] { state.plain.reset(new PlainError(e)); });
  } catch (const std::exception& e) {
    fail(state, [&] { state.plain.reset(new PlainError("INTERNAL", std::string("CUDA runner: ") + e.what())); });
  } catch (...) {
    fail(state, [&] { state.plain.reset(new PlainError("INTERNAL", "CUDA runner: unknown exception")); });
  }
  std::lock_guard<std::mutex> lock(state.mutex);
  ++state.finishedThreads;
  state.changed.notify_one();
}

}  // namespace

BatchOutcome runBatch(const RunSettings& settings, const std::vector<std::shared_ptr<CudaModule>>& modules,
                      const std::function<void(long long done)>& progress) {
  BatchOutcome outcome;
  if (settings.nRuns == 0) return outcome;
  const auto started = std::chrono::steady_clock::now();
  BatchState state(settings.nRuns);
  const int nDevices = static_cast<int>(modules.size());
  // Sized up front: each thread writes its own report in place.
  outcome.devices.resize(modules.size());
  std::vector<std::thread> threads;
  for (size_t i = 0; i < modules.size(); ++i) {
    try {
      threads.emplace_back(deviceThread, std::cref(settings), std::cref(modules[i]), nDevices, std::ref(state),
                           &outcome.devices[i]);
    } catch (const std::exception& e) {
      // The devices already started stop at their next chunk; the batch fails.
      fail(state, [&] { state.plain.reset(new PlainError("INTERNAL", std::string("CUDA runner: starting a device thread: ") + e.what())); });
      outcome.devices.resize(i);
      break;
    }
  }
  long long reported = 0;
  {
    std::unique_lock<std::mutex> lock(state.mutex);
    while (state.finishedThreads < static_cast<int>(threads.size())) {
      state.changed.wait_for(lock, std::chrono::milliseconds(50));
      long long now = state.done.load();
      if (now != reported) {
        reported = now;
        progress(now);
      }
    }
  }
  for (std::thread& t : threads) t.join();
  outcome.wallMs = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  if (state.done.load() != reported) progress(state.done.load());
  if (state.plain) {
    outcome.plain = std::move(state.plain);
  } else if (state.failure) {
    outcome.failure = std::move(state.failure);
    // A lost context is reset once its last holder lets go; its modules cannot run again.
    if (outcome.failure->contextLost()) {
      PrimaryContext::markLost(outcome.failure->device);
      outcome.droppedModules = dropModulesOf(outcome.failure->device);
    }
  } else if (state.done.load() < settings.nRuns) {
    outcome.cancelled = true;
  }
  return outcome;
}

}  // namespace cubie
