// NVRTC reached through dlopen: the function table, and how it is found.
#pragma once
#include <cstddef>
#include <mutex>
#include <string>
#include <vector>

#include "dynlib.h"

namespace cubie {

typedef int nvrtcResult;  // NVRTC_SUCCESS == 0
typedef struct _nvrtcProgram* nvrtcProgram;

struct NvrtcApi {
  const char* (*GetErrorString)(nvrtcResult);
  nvrtcResult (*Version)(int*, int*);
  nvrtcResult (*GetNumSupportedArchs)(int*);
  nvrtcResult (*GetSupportedArchs)(int*);
  nvrtcResult (*CreateProgram)(nvrtcProgram*, const char*, const char*, int, const char* const*,
                               const char* const*);
  nvrtcResult (*DestroyProgram)(nvrtcProgram*);
  nvrtcResult (*CompileProgram)(nvrtcProgram, int, const char* const*);
  nvrtcResult (*GetPTXSize)(nvrtcProgram, size_t*);
  nvrtcResult (*GetPTX)(nvrtcProgram, char*);
  nvrtcResult (*GetCUBINSize)(nvrtcProgram, size_t*);
  nvrtcResult (*GetCUBIN)(nvrtcProgram, char*);
  nvrtcResult (*GetProgramLogSize)(nvrtcProgram, size_t*);
  nvrtcResult (*GetProgramLog)(nvrtcProgram, char*);
};

struct NvrtcAttempt {
  std::string path;
  std::string error;  // empty when this candidate was the one loaded
};

struct NvrtcState {
  bool available = false;
  std::string path;
  int major = 0;
  int minor = 0;
  std::vector<int> archs;
  std::vector<NvrtcAttempt> attempts;
  NvrtcApi api{};
};

// Tries each candidate library path in order, once per process; later calls
// return the first call's result (NVRTC cannot be unloaded safely).
const NvrtcState& loadNvrtc(const std::vector<std::string>& candidates);
// The loaded state, or nullptr before loadNvrtc succeeded.
const NvrtcState* loadedNvrtc();

}  // namespace cubie
