// The arguments cpuRun and cudaRun share, read from JavaScript in one place:
// the kernel's scalar slots, its buffers and the options every run takes.
// What the native threads use is plain data; the JavaScript objects it points
// into are held apart, so that a runner's worker can keep them alive until the
// run settles while the runner itself never sees N-API.
#pragma once
#include <napi.h>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace cubie {

// One buffer slot. A null, undefined or empty slot has data == nullptr; the
// kernel reads that as "not used".
struct RunBuffer {
  char* data = nullptr;     // the typed array's elements, its byteOffset applied
  size_t length = 0;        // elements
  size_t elementBytes = 0;  // bytes per element
  size_t bytes() const { return length * elementBytes; }
};

// What must outlive the call: the arrays the threads read and write (the
// collector may not free them mid-run) and the progress callback.
struct RunJsRefs {
  std::vector<Napi::ObjectReference> keepAlive;
  Napi::FunctionReference onProgress;  // empty when none was given
};

struct RunArgs {
  std::vector<double> scalars;     // the kernel's scalar slots, as passed
  long long nRuns = 0;             // scalar slot 0
  std::vector<RunBuffer> buffers;  // one per buffer slot, in order
  int32_t* cancel = nullptr;       // options.cancel[0]; nonzero asks the run to stop between chunks
  RunJsRefs js;
};

// Reads (scalars: Float64Array, buffers: (TypedArray|null|undefined)[],
// options: { cancel?: Int32Array(1), onProgress?(done, total) }). Bad input
// is a bug in cubie's own JavaScript, so it throws an INTERNAL error whose
// message starts with `fn` ("cpuRun: buffer 3 is not a typed array").
RunArgs readRunArgs(Napi::Env env, const char* fn, Napi::Value scalars, Napi::Value buffers, Napi::Value options);

}  // namespace cubie
