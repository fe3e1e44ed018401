#include "nvrtc_api.h"

#include <sys/stat.h>

namespace cubie {
namespace {

std::mutex g_mutex;
bool g_tried = false;
NvrtcState g_state;
DynLib g_lib;
DynLib g_builtins;

bool resolveAll(DynLib& lib, NvrtcApi* api, std::string* error) {
  return lib.symbol("nvrtcGetErrorString", &api->GetErrorString, error) &&
         lib.symbol("nvrtcVersion", &api->Version, error) &&
         lib.symbol("nvrtcGetNumSupportedArchs", &api->GetNumSupportedArchs, error) &&
         lib.symbol("nvrtcGetSupportedArchs", &api->GetSupportedArchs, error) &&
         lib.symbol("nvrtcCreateProgram", &api->CreateProgram, error) &&
         lib.symbol("nvrtcDestroyProgram", &api->DestroyProgram, error) &&
         lib.symbol("nvrtcCompileProgram", &api->CompileProgram, error) &&
         lib.symbol("nvrtcGetPTXSize", &api->GetPTXSize, error) &&
         lib.symbol("nvrtcGetPTX", &api->GetPTX, error) &&
         lib.symbol("nvrtcGetCUBINSize", &api->GetCUBINSize, error) &&
         lib.symbol("nvrtcGetCUBIN", &api->GetCUBIN, error) &&
         lib.symbol("nvrtcGetProgramLogSize", &api->GetProgramLogSize, error) &&
         lib.symbol("nvrtcGetProgramLog", &api->GetProgramLog, error);
}

std::string directoryOf(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? std::string() : path.substr(0, slash);
}

bool fileExists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// libnvrtc dlopens its builtins by bare soname and carries no RUNPATH, so a
// copy outside the loader path (a pip wheel, a toolkit not in ld.so.conf)
// is only found if it is already loaded under that soname.
void preloadBuiltins(const std::string& nvrtcPath, int major, int minor) {
  std::string dir = directoryOf(nvrtcPath);
  if (dir.empty()) return;
  std::string builtins =
      dir + "/libnvrtc-builtins.so." + std::to_string(major) + "." + std::to_string(minor);
  if (fileExists(builtins)) g_builtins.open(builtins, true, nullptr);
}

bool tryCandidate(const std::string& candidate, std::string* error) {
  if (!g_lib.open(candidate, false, error)) return false;
  NvrtcApi api{};
  if (!resolveAll(g_lib, &api, error)) {
    g_lib.close();
    return false;
  }
  int major = 0, minor = 0;
  if (api.Version(&major, &minor) != 0) {
    *error = "nvrtcVersion failed";
    g_lib.close();
    return false;
  }
  std::string resolved = g_lib.resolvedPath();
  g_state.path = resolved.empty() ? candidate : resolved;
  g_state.major = major;
  g_state.minor = minor;
  g_state.api = api;
  preloadBuiltins(g_state.path, major, minor);
  int count = 0;
  if (api.GetNumSupportedArchs(&count) == 0 && count > 0) {
    g_state.archs.resize(static_cast<size_t>(count));
    if (api.GetSupportedArchs(g_state.archs.data()) != 0) g_state.archs.clear();
  }
  return true;
}

}  // namespace

const NvrtcState& loadNvrtc(const std::vector<std::string>& candidates) {
  std::lock_guard<std::mutex> lock(g_mutex);
  if (g_tried && g_state.available) return g_state;
  g_tried = true;
  g_state.attempts.clear();
  for (const std::string& candidate : candidates) {
    std::string error;
    bool ok = tryCandidate(candidate, &error);
    g_state.attempts.push_back({candidate, ok ? std::string() : error});
    if (ok) {
      g_state.available = true;
      break;
    }
  }
  return g_state;
}

const NvrtcState* loadedNvrtc() {
  std::lock_guard<std::mutex> lock(g_mutex);
  return g_state.available ? &g_state : nullptr;
}

}  // namespace cubie
