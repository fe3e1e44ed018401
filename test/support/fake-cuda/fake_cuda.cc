// A test double of the CUDA driver library (libcuda.so.1), loaded by cubie
// through CUBIE_LIBCUDA_PATH, so that the real CUDA backend runs on a machine
// without a GPU. It is a test tool only: it ships in no package.
//
// What it does:
//   - "devices" with a configurable count, compute capability, memory and
//     driver version; primary contexts with retain counts; everything a
//     context owns is reclaimed when its last retain is released.
//   - "device memory" is host memory the fake tracks, with guard zones on both
//     sides: every copy is bounds-checked, every launch's buffer pointers must
//     lie in live allocations of the launching context, and the guard zones
//     are checked after every kernel. Fresh allocations are filled with 0xFF
//     (NaN, -1), so an output the kernel does not write is noticed.
//   - modules: a CUBIN must be an ELF for a compatible architecture (read
//     from the ELF flags); a PTX's .target must not exceed the device and its
//     .version must be one the configured driver version can compile. The
//     kernel's signature is read from the image (the CUBIN's .nv.info section,
//     the PTX's .entry) and must match the host build's argument block.
//   - kernels run for real: the image carries cubie's source digest (the
//     cubie_source_digest constant), and the fake loads a host build of that
//     same source from $CUBIE_FAKE_CUDA_HOST_KERNELS/<digest>.so and calls its
//     cubie_run_range over the launched threads.
//   - streams run their work in order on a thread of their own, so copies and
//     kernels are really asynchronous; events record completion times.
//   - faults on request: out of memory (device or host, at the Nth call or
//     after N), launch out of memory, launch failure, refused PTX, device lost.
//
// Configuration comes from the environment (CUBIE_FAKE_CUDA_*) and can be
// changed at run time through the N-API control surface this same library
// exports (tests load it with process.dlopen: the same handle as the
// driver's, so the same state): configure({...}) and stats() -> JSON.
#include <dlfcn.h>
#include <node_api.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

typedef int CUresult;
typedef int CUdevice;
typedef unsigned long long CUdeviceptr;
typedef size_t (*CUoccupancyB2DSize)(int);

namespace {

// ------------------------------------------------------------------ codes

enum : CUresult {
  SUCCESS = 0,
  INVALID_VALUE = 1,
  OUT_OF_MEMORY = 2,
  NOT_INITIALIZED = 3,
  DEVICE_UNAVAILABLE = 46,
  NO_DEVICE = 100,
  INVALID_DEVICE = 101,
  INVALID_IMAGE = 200,
  INVALID_CONTEXT = 201,
  NO_BINARY_FOR_GPU = 209,
  INVALID_PTX = 218,
  UNSUPPORTED_PTX_VERSION = 222,
  INVALID_HANDLE = 400,
  NOT_FOUND = 500,
  NOT_READY = 600,
  ILLEGAL_ADDRESS = 700,
  LAUNCH_FAILED = 719,
};

struct ErrorInfo {
  CUresult code;
  const char* name;
  const char* text;
};

const ErrorInfo kErrors[] = {
    {SUCCESS, "CUDA_SUCCESS", "no error"},
    {INVALID_VALUE, "CUDA_ERROR_INVALID_VALUE", "invalid argument"},
    {OUT_OF_MEMORY, "CUDA_ERROR_OUT_OF_MEMORY", "out of memory"},
    {NOT_INITIALIZED, "CUDA_ERROR_NOT_INITIALIZED", "initialization error"},
    {DEVICE_UNAVAILABLE, "CUDA_ERROR_DEVICE_UNAVAILABLE", "CUDA-capable device(s) is/are busy or unavailable"},
    {NO_DEVICE, "CUDA_ERROR_NO_DEVICE", "no CUDA-capable device is detected"},
    {INVALID_DEVICE, "CUDA_ERROR_INVALID_DEVICE", "invalid device ordinal"},
    {INVALID_IMAGE, "CUDA_ERROR_INVALID_IMAGE", "device kernel image is invalid"},
    {INVALID_CONTEXT, "CUDA_ERROR_INVALID_CONTEXT", "invalid device context"},
    {NO_BINARY_FOR_GPU, "CUDA_ERROR_NO_BINARY_FOR_GPU", "no kernel image is available for execution on the device"},
    {INVALID_PTX, "CUDA_ERROR_INVALID_PTX", "a PTX JIT compilation failed"},
    {UNSUPPORTED_PTX_VERSION, "CUDA_ERROR_UNSUPPORTED_PTX_VERSION", "the provided PTX was compiled with an unsupported toolchain."},
    {INVALID_HANDLE, "CUDA_ERROR_INVALID_HANDLE", "invalid resource handle"},
    {NOT_FOUND, "CUDA_ERROR_NOT_FOUND", "named symbol not found"},
    {NOT_READY, "CUDA_ERROR_NOT_READY", "device not ready"},
    {ILLEGAL_ADDRESS, "CUDA_ERROR_ILLEGAL_ADDRESS", "an illegal memory access was encountered"},
    {LAUNCH_FAILED, "CUDA_ERROR_LAUNCH_FAILED", "unspecified launch failure"},
};

// ------------------------------------------------------------------ configuration

constexpr int kMaxDevices = 16;
constexpr size_t kGuard = 256;
constexpr unsigned char kGuardByte = 0xA5;

struct Config {
  int devices = 1;
  std::vector<std::pair<int, int>> cc = {{8, 0}};  // per device; the last repeats
  double totalBytes = 16.0 * 1024 * 1024 * 1024;
  double freeBytes = -1;      // what cuMemGetInfo reports before allocations (-1: total)
  double capacityBytes = -1;  // what can really be allocated (-1: freeBytes, else total)
  int driverVersion = 13000;
  int multiprocessors = 4;
  int localBytes = 0;
  int functionMaxThreads = 1024;  // a kernel's own limit (registers, launch bounds)
  int launchDelayUs = 0;
  int jitterUs = 0;
  std::string hostKernels;
  // Faults, counted from the last configuration.
  long long oomAfter = -1;  // device allocations after the first N fail
  std::set<long long> oomAt, hostOomAt, launchOomAt, launchFailAt, deviceLostAt;
  bool refusePtx = false;
};

struct Stats {
  long long allocations = 0, allocationFailures = 0, hostAllocations = 0, hostAllocationFailures = 0;
  long long launches = 0, copiesToDevice = 0, copiesToHost = 0, pageableAsyncCopies = 0;
  long long moduleLoads = 0, ptxLoads = 0, cubinLoads = 0, refusedImages = 0;
  long long contextResets = 0, reclaimedAllocations = 0, reclaimedHostAllocations = 0, reclaimedObjects = 0;
  std::vector<std::string> violations;
  std::vector<std::string> launchLog;  // "device grid block runs"
};

struct Context;

struct Allocation {
  char* base = nullptr;  // guard, body, guard
  size_t size = 0;
  Context* context = nullptr;
  char* body() const { return base + kGuard; }
};

struct HostAllocation {
  char* data = nullptr;
  size_t size = 0;
  Context* context = nullptr;
};

struct Module;

struct Function {
  Module* module = nullptr;
};

struct Module {
  Context* context = nullptr;
  void* library = nullptr;
  int abi[4] = {0, 0, 0, 0};
  void (*runRange)(const void*, long long, long long) = nullptr;
  std::vector<std::pair<size_t, size_t>> params;  // offset, size
  size_t paramBytes = 0;
  int registers = 32;
  int ptxVersion = 0;
  int binaryVersion = 0;
  Function function;
};

struct Stream;

struct Event {
  Context* context = nullptr;
  bool pending = false;  // recorded, not yet reached
  bool recorded = false;
  double timeMs = 0;
};

struct Stream {
  Context* context = nullptr;
  std::deque<std::function<void()>> queue;
  bool running = false;
  bool stopping = false;
  std::thread worker;
};

struct Context {
  int device = 0;
  int retains = 0;
  CUresult sticky = SUCCESS;
  int maxBusyStreams = 0;
  std::set<Module*> modules;
  std::set<Stream*> streams;
  std::set<Event*> events;
};

struct Device {
  bool lost = false;
  double used = 0;
  double peak = 0;
};

std::mutex g_mutex;
std::condition_variable g_changed;
Config g_config;
bool g_configured = false;
bool g_initialized = false;
Stats g_stats;
Context g_contexts[kMaxDevices];
Device g_devices[kMaxDevices];
std::map<uintptr_t, Allocation> g_allocations;      // by body address
std::map<uintptr_t, HostAllocation> g_hostAllocations;
std::set<Module*> g_modules;
std::set<Function*> g_functions;
std::set<Stream*> g_streams;
std::set<Event*> g_events;
thread_local std::vector<Context*> t_current;
const auto g_epoch = std::chrono::steady_clock::now();

double nowMs() { return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - g_epoch).count(); }

void violation(const std::string& what) {
  if (g_stats.violations.size() < 200) g_stats.violations.push_back(what);
  fprintf(stderr, "fake libcuda: %s\n", what.c_str());
}

// ------------------------------------------------------------------ configuration parsing

std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> out;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, sep)) {
    size_t a = item.find_first_not_of(" \t\r\n"), b = item.find_last_not_of(" \t\r\n");
    if (a != std::string::npos) out.push_back(item.substr(a, b - a + 1));
  }
  return out;
}

double parseBytes(const std::string& text) {
  char* end = nullptr;
  double value = strtod(text.c_str(), &end);
  switch (end != nullptr ? *end : 0) {
    case 'k': case 'K': return value * 1024;
    case 'm': case 'M': return value * 1024 * 1024;
    case 'g': case 'G': return value * 1024 * 1024 * 1024;
    default: return value;
  }
}

void applyFaults(Config& c, const std::string& text) {
  for (const std::string& fault : split(text, ',')) {
    size_t colon = fault.find(':');
    std::string name = fault.substr(0, colon);
    long long n = colon == std::string::npos ? 1 : atoll(fault.c_str() + colon + 1);
    if (name == "oom-after") c.oomAfter = colon == std::string::npos ? 0 : n;
    else if (name == "oom" || name == "oom-at") c.oomAt.insert(n);
    else if (name == "host-oom" || name == "host-oom-at") c.hostOomAt.insert(n);
    else if (name == "launch-oom" || name == "launch-oom-at") c.launchOomAt.insert(n);
    else if (name == "launch-fail" || name == "launch-fail-at") c.launchFailAt.insert(n);
    else if (name == "device-lost" || name == "device-lost-at") c.deviceLostAt.insert(n);
    else if (name == "refuse-ptx") c.refusePtx = true;
    else violation("unknown fault '" + fault + "'");
  }
}

void applySetting(Config& c, const std::string& key, const std::string& value) {
  if (key == "devices") c.devices = std::max(0, std::min(kMaxDevices, atoi(value.c_str())));
  else if (key == "cc") {
    c.cc.clear();
    for (const std::string& item : split(value, ',')) {
      int major = 0, minor = 0;
      if (sscanf(item.c_str(), "%d.%d", &major, &minor) == 2) c.cc.push_back({major, minor});
    }
    if (c.cc.empty()) c.cc.push_back({8, 0});
  } else if (key == "totalBytes") c.totalBytes = parseBytes(value);
  else if (key == "freeBytes") c.freeBytes = parseBytes(value);
  else if (key == "capacityBytes") c.capacityBytes = parseBytes(value);
  else if (key == "driverVersion") c.driverVersion = atoi(value.c_str());
  else if (key == "multiprocessors") c.multiprocessors = std::max(1, atoi(value.c_str()));
  else if (key == "localBytes") c.localBytes = atoi(value.c_str());
  else if (key == "functionMaxThreads") c.functionMaxThreads = std::max(32, atoi(value.c_str()));
  else if (key == "launchDelayUs") c.launchDelayUs = atoi(value.c_str());
  else if (key == "jitterUs") c.jitterUs = atoi(value.c_str());
  else if (key == "hostKernels") c.hostKernels = value;
  else if (key == "faults") applyFaults(c, value);
  else violation("unknown setting '" + key + "'");
}

Config configFromEnvironment() {
  Config c;
  const std::pair<const char*, const char*> vars[] = {
      {"CUBIE_FAKE_CUDA_DEVICES", "devices"},          {"CUBIE_FAKE_CUDA_CC", "cc"},
      {"CUBIE_FAKE_CUDA_TOTAL_BYTES", "totalBytes"},   {"CUBIE_FAKE_CUDA_FREE_BYTES", "freeBytes"},
      {"CUBIE_FAKE_CUDA_CAPACITY_BYTES", "capacityBytes"}, {"CUBIE_FAKE_CUDA_DRIVER_VERSION", "driverVersion"},
      {"CUBIE_FAKE_CUDA_MULTIPROCESSORS", "multiprocessors"}, {"CUBIE_FAKE_CUDA_HOST_KERNELS", "hostKernels"},
      {"CUBIE_FAKE_CUDA_FAULT", "faults"},             {"CUBIE_FAKE_CUDA_FAULTS", "faults"},
  };
  for (const auto& var : vars) {
    const char* value = getenv(var.first);
    if (value != nullptr && *value != 0) applySetting(c, var.second, value);
  }
  return c;
}

// Called with g_mutex held.
void ensureConfigured() {
  if (g_configured) return;
  g_config = configFromEnvironment();
  g_configured = true;
}

std::pair<int, int> ccOf(int device) {
  const auto& cc = g_config.cc;
  return cc[std::min(static_cast<size_t>(device), cc.size() - 1)];
}

double capacityOf() {
  if (g_config.capacityBytes >= 0) return g_config.capacityBytes;
  if (g_config.freeBytes >= 0) return g_config.freeBytes;
  return g_config.totalBytes;
}

// The highest PTX ISA a driver of this CUDA version compiles.
int maxPtxIsa(int driverVersion) {
  const int major = driverVersion / 1000, minor = (driverVersion % 1000) / 10;
  if (major >= 13) return 90 + minor;
  if (major == 12) return 80 + std::min(minor, 9) - (minor >= 6 ? 1 : 0);
  if (major == 11) return 70 + minor;
  return 60;
}

// ------------------------------------------------------------------ contexts (g_mutex held)

Context* current() { return t_current.empty() ? nullptr : t_current.back(); }

bool validContext(Context* c) {
  return c != nullptr && c >= g_contexts && c < g_contexts + kMaxDevices && c->retains > 0;
}

// The state a call on a context runs in: no context, a lost device, a sticky error.
CUresult usable(Context* c) {
  if (!validContext(c)) return INVALID_CONTEXT;
  if (g_devices[c->device].lost) return DEVICE_UNAVAILABLE;
  return c->sticky;
}

Allocation* findAllocation(uintptr_t p, size_t n, Context* context) {
  auto it = g_allocations.upper_bound(p);
  if (it == g_allocations.begin()) return nullptr;
  --it;
  Allocation& a = it->second;
  if (p < it->first || p + n > it->first + a.size) return nullptr;
  if (context != nullptr && a.context != context) return nullptr;
  return &a;
}

HostAllocation* findHostAllocation(uintptr_t p, size_t n) {
  auto it = g_hostAllocations.upper_bound(p);
  if (it == g_hostAllocations.begin()) return nullptr;
  --it;
  if (p < it->first || p + n > it->first + it->second.size) return nullptr;
  return &it->second;
}

bool guardsIntact(const Allocation& a) {
  for (size_t i = 0; i < kGuard; ++i) {
    if (static_cast<unsigned char>(a.base[i]) != kGuardByte ||
        static_cast<unsigned char>(a.base[kGuard + a.size + i]) != kGuardByte) {
      return false;
    }
  }
  return true;
}

void freeAllocation(std::map<uintptr_t, Allocation>::iterator it) {
  Allocation& a = it->second;
  if (!guardsIntact(a)) violation("guard zone of a " + std::to_string(a.size) + "-byte device allocation overwritten");
  g_devices[a.context->device].used -= static_cast<double>(a.size);
  free(a.base);
  g_allocations.erase(it);
}

void stopStream(Stream* s, std::unique_lock<std::mutex>& lock) {
  s->stopping = true;
  g_changed.notify_all();
  lock.unlock();
  if (s->worker.joinable()) s->worker.join();
  lock.lock();
}

// Destroys everything a context owns (its last release, or a reset).
void reclaim(Context* c, std::unique_lock<std::mutex>& lock) {
  std::vector<Stream*> streams(c->streams.begin(), c->streams.end());
  for (Stream* s : streams) {
    stopStream(s, lock);
    g_streams.erase(s);
    delete s;
    ++g_stats.reclaimedObjects;
  }
  c->streams.clear();
  for (Event* e : c->events) {
    g_events.erase(e);
    delete e;
    ++g_stats.reclaimedObjects;
  }
  c->events.clear();
  for (Module* m : c->modules) {
    g_modules.erase(m);
    g_functions.erase(&m->function);
    if (m->library != nullptr) dlclose(m->library);
    delete m;
    ++g_stats.reclaimedObjects;
  }
  c->modules.clear();
  for (auto it = g_allocations.begin(); it != g_allocations.end();) {
    if (it->second.context == c) {
      auto next = std::next(it);
      freeAllocation(it);
      ++g_stats.reclaimedAllocations;
      it = next;
    } else {
      ++it;
    }
  }
  for (auto it = g_hostAllocations.begin(); it != g_hostAllocations.end();) {
    if (it->second.context == c) {
      free(it->second.data);
      it = g_hostAllocations.erase(it);
      ++g_stats.reclaimedHostAllocations;
    } else {
      ++it;
    }
  }
  c->sticky = SUCCESS;
  ++g_stats.contextResets;
}

// ------------------------------------------------------------------ streams

void jitter() {
  if (g_config.jitterUs <= 0) return;
  static thread_local std::mt19937 rng(std::random_device{}());
  std::this_thread::sleep_for(std::chrono::microseconds(rng() % static_cast<unsigned>(g_config.jitterUs)));
}

void streamLoop(Stream* s) {
  std::unique_lock<std::mutex> lock(g_mutex);
  for (;;) {
    g_changed.wait(lock, [&] { return s->stopping || !s->queue.empty(); });
    if (s->queue.empty()) return;  // stopping, and nothing left
    std::function<void()> op = std::move(s->queue.front());
    s->running = true;
    lock.unlock();
    jitter();
    op();  // takes g_mutex itself where it touches shared state
    lock.lock();
    s->queue.pop_front();
    s->running = false;
    g_changed.notify_all();
  }
}

bool streamIdle(const Stream* s) { return s->queue.empty() && !s->running; }

void enqueue(Stream* s, std::function<void()> op) {
  s->queue.push_back(std::move(op));
  int busy = 0;
  for (Stream* other : s->context->streams) busy += streamIdle(other) ? 0 : 1;
  s->context->maxBusyStreams = std::max(s->context->maxBusyStreams, busy);
  g_changed.notify_all();
}

// Stream 0 (the legacy default stream) is not supported: cubie always passes its own.
CUresult checkStream(Stream* s, Context* c) {
  if (s == nullptr || g_streams.count(s) == 0) {
    violation("operation on an unknown stream (or the default stream)");
    return INVALID_HANDLE;
  }
  if (s->context != c) {
    violation("operation on a stream of another context");
    return INVALID_HANDLE;
  }
  return SUCCESS;
}

// ------------------------------------------------------------------ images

struct Image {
  bool ptx = false;
  int arch = 0;        // sm_XY as XY
  int ptxVersion = 0;  // ISA X.Y as XY
  std::string digest;
  std::vector<std::pair<size_t, size_t>> params;
  int registers = 32;
  std::string log;
};

template <typename T>
T readAt(const std::string& bytes, size_t offset) {
  T value{};
  if (offset + sizeof(T) <= bytes.size()) memcpy(&value, bytes.data() + offset, sizeof(T));
  return value;
}

// The kernel's signature and registers from a CUBIN's .nv.info sections.
bool readCubin(const std::string& elf, Image* image) {
  if (elf.size() < 64 || elf.compare(0, 4, "\x7f" "ELF") != 0 || elf[4] != 2 || readAt<uint16_t>(elf, 18) != 190) {
    image->log = "not a 64-bit CUDA ELF";
    return false;
  }
  const uint32_t flags = readAt<uint32_t>(elf, 48);
  image->arch = static_cast<unsigned char>(elf[8]) >= 8 ? (flags >> 8) & 0xff : flags & 0xff;
  const uint64_t shoff = readAt<uint64_t>(elf, 0x28);
  const uint16_t shentsize = readAt<uint16_t>(elf, 0x3a), shnum = readAt<uint16_t>(elf, 0x3c), shstrndx = readAt<uint16_t>(elf, 0x3e);
  auto section = [&](int i, uint32_t* name, uint64_t* offset, uint64_t* size) {
    size_t at = shoff + static_cast<size_t>(i) * shentsize;
    *name = readAt<uint32_t>(elf, at);
    *offset = readAt<uint64_t>(elf, at + 0x18);
    *size = readAt<uint64_t>(elf, at + 0x20);
  };
  uint32_t n;
  uint64_t strOffset, strSize;
  section(shstrndx, &n, &strOffset, &strSize);
  for (int i = 0; i < shnum; ++i) {
    uint64_t offset, size;
    section(i, &n, &offset, &size);
    if (offset + size > elf.size() || strOffset + n >= elf.size()) continue;
    std::string name = elf.c_str() + strOffset + n;
    if (name != ".nv.info" && name != ".nv.info.cubie_integrate") continue;
    for (size_t at = offset; at + 4 <= offset + size;) {
      const unsigned char format = static_cast<unsigned char>(elf[at]), attribute = static_cast<unsigned char>(elf[at + 1]);
      const uint16_t length = readAt<uint16_t>(elf, at + 2);
      if (format == 4) {  // EIFMT_SVAL: a payload of `length` bytes
        if (name == ".nv.info" && attribute == 0x2f && length == 8) image->registers = static_cast<int>(readAt<uint32_t>(elf, at + 8));
        if (name != ".nv.info" && attribute == 0x17 && length == 12) {  // EIATTR_KPARAM_INFO
          const size_t ordinal = readAt<uint16_t>(elf, at + 8), paramOffset = readAt<uint16_t>(elf, at + 10);
          const size_t paramSize = readAt<uint32_t>(elf, at + 12) >> 18;
          if (image->params.size() <= ordinal) image->params.resize(ordinal + 1);
          image->params[ordinal] = {paramOffset, paramSize};
        }
        at += 4 + length;
      } else {
        at += 4;
      }
    }
  }
  size_t marker = elf.find("cubie-source:");
  if (marker != std::string::npos) image->digest = elf.substr(marker + 13, 64);
  return true;
}

size_t ptxTypeBytes(const std::string& type) {
  if (type.find("64") != std::string::npos) return 8;
  if (type.find("32") != std::string::npos) return 4;
  if (type.find("16") != std::string::npos) return 2;
  return 1;
}

bool readPtx(const std::string& ptx, Image* image) {
  image->ptx = true;
  int major = 0, minor = 0, arch = 0;
  size_t at = ptx.find(".version");
  if (at == std::string::npos || sscanf(ptx.c_str() + at, ".version %d.%d", &major, &minor) != 2) {
    image->log = "ptxas fatal   : no .version directive";
    return false;
  }
  image->ptxVersion = major * 10 + minor;
  at = ptx.find(".target");
  if (at == std::string::npos || sscanf(ptx.c_str() + at, ".target sm_%d", &arch) != 1) {
    image->log = "ptxas fatal   : no .target directive";
    return false;
  }
  image->arch = arch;
  // .visible .entry cubie_integrate( .param .align 8 .b8 cubie_integrate_param_0[224] )
  at = ptx.find(".entry cubie_integrate(");
  if (at != std::string::npos) {
    size_t close = ptx.find(')', at);
    std::string list = ptx.substr(at + 23, close - at - 23);
    size_t offset = 0;
    for (const std::string& param : split(list, ',')) {
      size_t bytes = 0;
      size_t open = param.find('[');
      if (open != std::string::npos) {
        bytes = static_cast<size_t>(atoll(param.c_str() + open + 1)) * ptxTypeBytes(param.substr(0, open));
      } else {
        bytes = ptxTypeBytes(param);
      }
      image->params.push_back({offset, bytes});
      offset += bytes;
    }
  }
  // .global .align 1 .b8 cubie_source_digest[78] = {99, 117, ...};
  at = ptx.find("cubie_source_digest[");
  if (at != std::string::npos) {
    size_t open = ptx.find('{', at), close = ptx.find('}', at);
    std::string text;
    for (const std::string& byte : split(ptx.substr(open + 1, close - open - 1), ',')) text.push_back(static_cast<char>(atoi(byte.c_str())));
    if (text.compare(0, 13, "cubie-source:") == 0) image->digest = text.substr(13, 64);
  }
  return true;
}

void writeLog(unsigned int count, int* options, void** values, int bufferOption, int sizeOption, const std::string& text) {
  if (options == nullptr || values == nullptr) return;
  char* buffer = nullptr;
  size_t size = 0;
  int sizeIndex = -1;
  for (unsigned int i = 0; i < count; ++i) {
    if (options[i] == bufferOption) buffer = static_cast<char*>(values[i]);
    if (options[i] == sizeOption) {
      size = reinterpret_cast<size_t>(values[i]);
      sizeIndex = static_cast<int>(i);
    }
  }
  if (buffer == nullptr || size == 0) return;
  size_t n = std::min(size - 1, text.size());
  memcpy(buffer, text.data(), n);
  buffer[n] = 0;
  values[sizeIndex] = reinterpret_cast<void*>(n);
}

}  // namespace

// ==================================================================== the driver API

extern "C" {

CUresult cuInit(unsigned int) {
  std::lock_guard<std::mutex> lock(g_mutex);
  ensureConfigured();
  if (g_config.devices == 0) return NO_DEVICE;
  g_initialized = true;
  return SUCCESS;
}

CUresult cuDriverGetVersion(int* version) {
  std::lock_guard<std::mutex> lock(g_mutex);
  ensureConfigured();
  if (version == nullptr) return INVALID_VALUE;
  *version = g_config.driverVersion;
  return SUCCESS;
}

CUresult cuGetErrorName(CUresult error, const char** name) {
  for (const ErrorInfo& e : kErrors) {
    if (e.code == error) {
      *name = e.name;
      return SUCCESS;
    }
  }
  *name = nullptr;
  return INVALID_VALUE;
}

CUresult cuGetErrorString(CUresult error, const char** text) {
  for (const ErrorInfo& e : kErrors) {
    if (e.code == error) {
      *text = e.text;
      return SUCCESS;
    }
  }
  *text = nullptr;
  return INVALID_VALUE;
}

CUresult cuDeviceGetCount(int* count) {
  std::lock_guard<std::mutex> lock(g_mutex);
  if (!g_initialized) return NOT_INITIALIZED;
  *count = g_config.devices;
  return SUCCESS;
}

CUresult cuDeviceGet(CUdevice* device, int ordinal) {
  std::lock_guard<std::mutex> lock(g_mutex);
  if (!g_initialized) return NOT_INITIALIZED;
  if (ordinal < 0 || ordinal >= g_config.devices) return INVALID_DEVICE;
  *device = ordinal;
  return SUCCESS;
}

CUresult cuDeviceGetName(char* name, int length, CUdevice device) {
  std::lock_guard<std::mutex> lock(g_mutex);
  if (device < 0 || device >= g_config.devices) return INVALID_DEVICE;
  auto cc = ccOf(device);
  snprintf(name, static_cast<size_t>(length), "Fake CUDA device %d (sm_%d%d)", device, cc.first, cc.second);
  return SUCCESS;
}

CUresult cuDeviceGetAttribute(int* value, int attribute, CUdevice device) {
  std::lock_guard<std::mutex> lock(g_mutex);
  if (device < 0 || device >= g_config.devices) return INVALID_DEVICE;
  switch (attribute) {
    case 1: *value = 1024; return SUCCESS;                          // MAX_THREADS_PER_BLOCK
    case 16: *value = g_config.multiprocessors; return SUCCESS;     // MULTIPROCESSOR_COUNT
    case 39: *value = 2048; return SUCCESS;                         // MAX_THREADS_PER_MULTIPROCESSOR
    case 75: *value = ccOf(device).first; return SUCCESS;           // COMPUTE_CAPABILITY_MAJOR
    case 76: *value = ccOf(device).second; return SUCCESS;          // COMPUTE_CAPABILITY_MINOR
    default: return INVALID_VALUE;
  }
}

CUresult cuDeviceTotalMem_v2(size_t* bytes, CUdevice device) {
  std::lock_guard<std::mutex> lock(g_mutex);
  if (device < 0 || device >= g_config.devices) return INVALID_DEVICE;
  *bytes = static_cast<size_t>(g_config.totalBytes);
  return SUCCESS;
}

// ------------------------------------------------------------------ contexts

CUresult cuDevicePrimaryCtxRetain(Context** context, CUdevice device) {
  std::lock_guard<std::mutex> lock(g_mutex);
  if (!g_initialized) return NOT_INITIALIZED;
  if (device < 0 || device >= g_config.devices) return INVALID_DEVICE;
  if (g_devices[device].lost) return DEVICE_UNAVAILABLE;
  Context& c = g_contexts[device];
  c.device = device;
  ++c.retains;
  *context = &c;
  return SUCCESS;
}

CUresult cuDevicePrimaryCtxRelease_v2(CUdevice device) {
  std::unique_lock<std::mutex> lock(g_mutex);
  if (device < 0 || device >= kMaxDevices) return INVALID_DEVICE;
  Context& c = g_contexts[device];
  if (c.retains <= 0) {
    violation("cuDevicePrimaryCtxRelease_v2 without a retain on device " + std::to_string(device));
    return INVALID_CONTEXT;
  }
  if (--c.retains == 0) reclaim(&c, lock);  // the last release resets the primary context
  return SUCCESS;
}

CUresult cuDevicePrimaryCtxReset_v2(CUdevice device) {
  std::unique_lock<std::mutex> lock(g_mutex);
  if (device < 0 || device >= kMaxDevices) return INVALID_DEVICE;
  reclaim(&g_contexts[device], lock);
  return SUCCESS;
}

CUresult cuCtxPushCurrent_v2(Context* context) {
  std::lock_guard<std::mutex> lock(g_mutex);
  if (!validContext(context)) {
    violation("cuCtxPushCurrent_v2 of a context not retained");
    return INVALID_CONTEXT;
  }
  if (g_devices[context->device].lost) return DEVICE_UNAVAILABLE;
  t_current.push_back(context);
  return SUCCESS;
}

CUresult cuCtxPopCurrent_v2(Context** context) {
  std::lock_guard<std::mutex> lock(g_mutex);
  if (t_current.empty()) {
    violation("cuCtxPopCurrent_v2 with no current context");
    return INVALID_CONTEXT;
  }
  if (context != nullptr) *context = t_current.back();
  t_current.pop_back();
  return SUCCESS;
}

// ------------------------------------------------------------------ memory

CUresult cuMemGetInfo_v2(size_t* freeBytes, size_t* totalBytes) {
  std::lock_guard<std::mutex> lock(g_mutex);
  Context* c = current();
  if (CUresult rc = usable(c)) return rc;
  const double used = g_devices[c->device].used;
  const double base = g_config.freeBytes >= 0 ? g_config.freeBytes : g_config.totalBytes;
  *freeBytes = static_cast<size_t>(std::max(0.0, base - used));
  *totalBytes = static_cast<size_t>(g_config.totalBytes);
  return SUCCESS;
}

CUresult cuMemAlloc_v2(CUdeviceptr* pointer, size_t bytes) {
  std::lock_guard<std::mutex> lock(g_mutex);
  Context* c = current();
  if (CUresult rc = usable(c)) return rc;
  if (bytes == 0) return INVALID_VALUE;
  const long long n = ++g_stats.allocations;
  Device& d = g_devices[c->device];
  if (g_config.oomAt.count(n) > 0 || (g_config.oomAfter >= 0 && n > g_config.oomAfter) ||
      d.used + static_cast<double>(bytes) > capacityOf()) {
    ++g_stats.allocationFailures;
    return OUT_OF_MEMORY;
  }
  char* base = static_cast<char*>(aligned_alloc(kGuard, kGuard * 2 + (bytes + kGuard - 1) / kGuard * kGuard));
  if (base == nullptr) return OUT_OF_MEMORY;
  memset(base, kGuardByte, kGuard);
  memset(base + kGuard, 0xFF, bytes);
  memset(base + kGuard + bytes, kGuardByte, kGuard);
  Allocation a{base, bytes, c};
  g_allocations[reinterpret_cast<uintptr_t>(a.body())] = a;
  d.used += static_cast<double>(bytes);
  d.peak = std::max(d.peak, d.used);
  *pointer = reinterpret_cast<CUdeviceptr>(a.body());
  return SUCCESS;
}

CUresult cuMemFree_v2(CUdeviceptr pointer) {
  std::lock_guard<std::mutex> lock(g_mutex);
  Context* c = current();
  if (CUresult rc = usable(c)) return rc;
  auto it = g_allocations.find(static_cast<uintptr_t>(pointer));
  if (it == g_allocations.end()) {
    violation("cuMemFree_v2 of a pointer that is not a live allocation");
    return INVALID_VALUE;
  }
  if (it->second.context != c) {
    violation("cuMemFree_v2 of another context's allocation");
    return INVALID_CONTEXT;
  }
  freeAllocation(it);
  return SUCCESS;
}

CUresult cuMemHostAlloc(void** pointer, size_t bytes, unsigned int) {
  std::lock_guard<std::mutex> lock(g_mutex);
  Context* c = current();
  if (CUresult rc = usable(c)) return rc;
  const long long n = ++g_stats.hostAllocations;
  if (g_config.hostOomAt.count(n) > 0) {
    ++g_stats.hostAllocationFailures;
    return OUT_OF_MEMORY;
  }
  char* data = static_cast<char*>(malloc(bytes == 0 ? 1 : bytes));
  if (data == nullptr) return OUT_OF_MEMORY;
  memset(data, 0xEE, bytes);
  g_hostAllocations[reinterpret_cast<uintptr_t>(data)] = HostAllocation{data, bytes, c};
  *pointer = data;
  return SUCCESS;
}

CUresult cuMemFreeHost(void* pointer) {
  std::lock_guard<std::mutex> lock(g_mutex);
  Context* c = current();
  if (CUresult rc = usable(c)) return rc;
  auto it = g_hostAllocations.find(reinterpret_cast<uintptr_t>(pointer));
  if (it == g_hostAllocations.end()) {
    violation("cuMemFreeHost of a pointer that cuMemHostAlloc did not return");
    return INVALID_VALUE;
  }
  free(it->second.data);
  g_hostAllocations.erase(it);
  return SUCCESS;
}

CUresult cuMemcpyHtoD_v2(CUdeviceptr destination, const void* source, size_t bytes) {
  std::lock_guard<std::mutex> lock(g_mutex);
  Context* c = current();
  if (CUresult rc = usable(c)) return rc;
  if (findAllocation(destination, bytes, c) == nullptr) {
    violation("cuMemcpyHtoD_v2 of " + std::to_string(bytes) + " bytes outside the context's device allocations");
    return INVALID_VALUE;
  }
  memcpy(reinterpret_cast<void*>(destination), source, bytes);
  ++g_stats.copiesToDevice;
  return SUCCESS;
}

// An async copy: bounds-checked when enqueued and again when it runs (a freed buffer is noticed).
CUresult asyncCopy(bool toDevice, char* host, CUdeviceptr device, size_t bytes, Stream* stream, const char* call) {
  std::unique_lock<std::mutex> lock(g_mutex);
  Context* c = current();
  if (CUresult rc = usable(c)) return rc;
  if (CUresult rc = checkStream(stream, c)) return rc;
  if (findAllocation(device, bytes, c) == nullptr) {
    violation(std::string(call) + " of " + std::to_string(bytes) + " bytes outside the context's device allocations");
    return INVALID_VALUE;
  }
  toDevice ? ++g_stats.copiesToDevice : ++g_stats.copiesToHost;
  const uintptr_t h = reinterpret_cast<uintptr_t>(host);
  if (findHostAllocation(h, bytes) == nullptr) {
    if (findHostAllocation(h, 1) != nullptr) {
      violation(std::string(call) + " runs past the end of a page-locked allocation");
      return INVALID_VALUE;
    }
    // Pageable memory: the real driver copies synchronously; so does the fake.
    ++g_stats.pageableAsyncCopies;
    g_changed.wait(lock, [&] { return streamIdle(stream); });
    toDevice ? memcpy(reinterpret_cast<void*>(device), host, bytes) : memcpy(host, reinterpret_cast<void*>(device), bytes);
    return SUCCESS;
  }
  enqueue(stream, [=] {
    std::lock_guard<std::mutex> inner(g_mutex);
    if (c->sticky != SUCCESS || g_devices[c->device].lost) return;
    if (findAllocation(device, bytes, c) == nullptr || findHostAllocation(h, bytes) == nullptr) {
      violation(std::string(call) + " ran after its memory was freed");
      c->sticky = ILLEGAL_ADDRESS;
      return;
    }
    toDevice ? memcpy(reinterpret_cast<void*>(device), host, bytes) : memcpy(host, reinterpret_cast<void*>(device), bytes);
  });
  return SUCCESS;
}

CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr destination, const void* source, size_t bytes, Stream* stream) {
  return asyncCopy(true, const_cast<char*>(static_cast<const char*>(source)), destination, bytes, stream, "cuMemcpyHtoDAsync_v2");
}

CUresult cuMemcpyDtoHAsync_v2(void* destination, CUdeviceptr source, size_t bytes, Stream* stream) {
  return asyncCopy(false, static_cast<char*>(destination), source, bytes, stream, "cuMemcpyDtoHAsync_v2");
}

CUresult cuMemsetD8Async(CUdeviceptr destination, unsigned char value, size_t bytes, Stream* stream) {
  std::lock_guard<std::mutex> lock(g_mutex);
  Context* c = current();
  if (CUresult rc = usable(c)) return rc;
  if (CUresult rc = checkStream(stream, c)) return rc;
  if (findAllocation(destination, bytes, c) == nullptr) {
    violation("cuMemsetD8Async of " + std::to_string(bytes) + " bytes outside the context's device allocations");
    return INVALID_VALUE;
  }
  enqueue(stream, [=] {
    std::lock_guard<std::mutex> inner(g_mutex);
    if (c->sticky != SUCCESS || g_devices[c->device].lost) return;
    if (findAllocation(destination, bytes, c) == nullptr) {
      violation("cuMemsetD8Async ran after its memory was freed");
      c->sticky = ILLEGAL_ADDRESS;
      return;
    }
    memset(reinterpret_cast<void*>(destination), value, bytes);
  });
  return SUCCESS;
}

// ------------------------------------------------------------------ streams and events

CUresult cuStreamCreate(Stream** stream, unsigned int) {
  std::lock_guard<std::mutex> lock(g_mutex);
  Context* c = current();
  if (CUresult rc = usable(c)) return rc;
  Stream* s = new Stream();
  s->context = c;
  s->worker = std::thread(streamLoop, s);
  c->streams.insert(s);
  g_streams.insert(s);
  *stream = s;
  return SUCCESS;
}

CUresult cuStreamSynchronize(Stream* stream) {
  std::unique_lock<std::mutex> lock(g_mutex);
  if (g_streams.count(stream) == 0) return INVALID_HANDLE;
  Context* c = stream->context;
  g_changed.wait(lock, [&] { return streamIdle(stream) || c->sticky != SUCCESS || g_devices[c->device].lost; });
  return usable(c);
}

CUresult cuStreamDestroy_v2(Stream* stream) {
  std::unique_lock<std::mutex> lock(g_mutex);
  if (g_streams.count(stream) == 0) {
    violation("cuStreamDestroy_v2 of an unknown stream");
    return INVALID_HANDLE;
  }
  Context* c = stream->context;
  if (CUresult rc = usable(c)) return rc;
  stopStream(stream, lock);  // its queued work runs first, as with the real driver
  c->streams.erase(stream);
  g_streams.erase(stream);
  delete stream;
  return SUCCESS;
}

CUresult cuEventCreate(Event** event, unsigned int) {
  std::lock_guard<std::mutex> lock(g_mutex);
  Context* c = current();
  if (CUresult rc = usable(c)) return rc;
  Event* e = new Event();
  e->context = c;
  c->events.insert(e);
  g_events.insert(e);
  *event = e;
  return SUCCESS;
}

CUresult cuEventRecord(Event* event, Stream* stream) {
  std::lock_guard<std::mutex> lock(g_mutex);
  if (g_events.count(event) == 0) return INVALID_HANDLE;
  Context* c = event->context;
  if (CUresult rc = usable(c)) return rc;
  if (CUresult rc = checkStream(stream, c)) return rc;
  event->pending = true;
  enqueue(stream, [=] {
    std::lock_guard<std::mutex> inner(g_mutex);
    if (g_events.count(event) == 0) return;
    event->pending = false;
    event->recorded = true;
    event->timeMs = nowMs();
  });
  return SUCCESS;
}

CUresult cuEventSynchronize(Event* event) {
  std::unique_lock<std::mutex> lock(g_mutex);
  if (g_events.count(event) == 0) return INVALID_HANDLE;
  Context* c = event->context;
  g_changed.wait(lock, [&] { return g_events.count(event) == 0 || !event->pending || c->sticky != SUCCESS || g_devices[c->device].lost; });
  return usable(c);
}

CUresult cuEventElapsedTime(float* ms, Event* start, Event* end) {
  std::lock_guard<std::mutex> lock(g_mutex);
  if (g_events.count(start) == 0 || g_events.count(end) == 0) return INVALID_HANDLE;
  if (start->pending || end->pending || !start->recorded || !end->recorded) return NOT_READY;
  *ms = static_cast<float>(end->timeMs - start->timeMs);
  return SUCCESS;
}

CUresult cuEventDestroy_v2(Event* event) {
  std::lock_guard<std::mutex> lock(g_mutex);
  if (g_events.count(event) == 0) {
    violation("cuEventDestroy_v2 of an unknown event");
    return INVALID_HANDLE;
  }
  Context* c = event->context;
  if (CUresult rc = usable(c)) return rc;
  c->events.erase(event);
  g_events.erase(event);
  delete event;
  return SUCCESS;
}

// ------------------------------------------------------------------ modules

CUresult cuModuleLoadDataEx(Module** module, const void* data, unsigned int count, int* options, void** values) {
  std::lock_guard<std::mutex> lock(g_mutex);
  Context* c = current();
  if (CUresult rc = usable(c)) return rc;
  ++g_stats.moduleLoads;
  const char* bytes = static_cast<const char*>(data);
  Image image;
  bool elf = memcmp(bytes, "\x7f" "ELF", 4) == 0;
  std::string text;
  if (elf) {
    // The ELF's own extent: the section header table ends it.
    const uint64_t shoff = *reinterpret_cast<const uint64_t*>(bytes + 0x28);
    const uint16_t shentsize = *reinterpret_cast<const uint16_t*>(bytes + 0x3a), shnum = *reinterpret_cast<const uint16_t*>(bytes + 0x3c);
    text.assign(bytes, shoff + static_cast<size_t>(shentsize) * shnum);
  } else {
    text.assign(bytes);
  }
  auto refuse = [&](CUresult rc, const std::string& log) {
    ++g_stats.refusedImages;
    writeLog(count, options, values, 5, 6, log);
    return rc;
  };
  const auto cc = ccOf(c->device);
  const int deviceArch = cc.first * 10 + cc.second;
  if (elf) {
    ++g_stats.cubinLoads;
    if (!readCubin(text, &image)) return refuse(INVALID_IMAGE, image.log);
    if (image.arch / 10 != cc.first || image.arch % 10 > cc.second) {
      return refuse(NO_BINARY_FOR_GPU, "no kernel image for sm_" + std::to_string(deviceArch) + " (the CUBIN is for sm_" + std::to_string(image.arch) + ")");
    }
  } else {
    ++g_stats.ptxLoads;
    if (!readPtx(text, &image)) return refuse(INVALID_PTX, image.log);
    const int isa = maxPtxIsa(g_config.driverVersion);
    if (g_config.refusePtx || image.ptxVersion > isa) {
      char log[256];
      snprintf(log, sizeof(log), "ptxas application ptx input, line 9; fatal   : Unsupported .version %d.%d; current version is '%d.%d'",
               image.ptxVersion / 10, image.ptxVersion % 10, isa / 10, isa % 10);
      return refuse(UNSUPPORTED_PTX_VERSION, log);
    }
    if (image.arch > deviceArch) {
      return refuse(INVALID_PTX, "ptxas fatal   : SM version specified by .target (sm_" + std::to_string(image.arch) +
                                     ") is higher than the device's (sm_" + std::to_string(deviceArch) + ")");
    }
  }
  if (image.digest.size() != 64) return refuse(INVALID_IMAGE, "fake libcuda: the image carries no cubie_source_digest");
  const std::string path = g_config.hostKernels + "/" + image.digest + ".so";
  void* library = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr) {
    violation("no host build of kernel " + image.digest + " (" + dlerror() + ")");
    return refuse(INVALID_IMAGE, "fake libcuda: no host build of this kernel at " + path);
  }
  auto* m = new Module();
  m->context = c;
  m->library = library;
  m->function.module = m;
  int (*abi)(int*) = reinterpret_cast<int (*)(int*)>(dlsym(library, "cubie_abi"));
  m->runRange = reinterpret_cast<void (*)(const void*, long long, long long)>(dlsym(library, "cubie_run_range"));
  if (abi != nullptr) abi(m->abi);
  m->params = image.params;
  m->paramBytes = image.params.empty() ? 0 : image.params.back().first + image.params.back().second;
  m->registers = image.registers;
  m->ptxVersion = image.ptx ? image.ptxVersion : 0;
  m->binaryVersion = image.ptx ? deviceArch : image.arch;
  const size_t expected = 8 * static_cast<size_t>(m->abi[1] + m->abi[2]);
  if (abi == nullptr || m->runRange == nullptr || image.params.size() != 1 || m->paramBytes != expected) {
    violation("the image's kernel signature (" + std::to_string(image.params.size()) + " parameters, " + std::to_string(m->paramBytes) +
              " bytes) does not match the host build's argument block (" + std::to_string(expected) + " bytes)");
    dlclose(library);
    delete m;
    return refuse(INVALID_IMAGE, "fake libcuda: kernel signature mismatch");
  }
  writeLog(count, options, values, 3, 4, "fake libcuda: loaded " + std::string(image.ptx ? "PTX" : "CUBIN") + " for sm_" + std::to_string(image.arch));
  writeLog(count, options, values, 5, 6, "");
  c->modules.insert(m);
  g_modules.insert(m);
  g_functions.insert(&m->function);
  *module = m;
  return SUCCESS;
}

CUresult cuModuleUnload(Module* module) {
  std::lock_guard<std::mutex> lock(g_mutex);
  if (g_modules.count(module) == 0) {
    violation("cuModuleUnload of an unknown module");
    return INVALID_HANDLE;
  }
  Context* c = current();
  if (c != module->context) violation("cuModuleUnload with another context current");
  if (CUresult rc = usable(module->context)) return rc;
  module->context->modules.erase(module);
  g_modules.erase(module);
  g_functions.erase(&module->function);
  dlclose(module->library);
  delete module;
  return SUCCESS;
}

CUresult cuModuleGetFunction(Function** function, Module* module, const char* name) {
  std::lock_guard<std::mutex> lock(g_mutex);
  if (g_modules.count(module) == 0) return INVALID_HANDLE;
  if (strcmp(name, "cubie_integrate") != 0) return NOT_FOUND;
  *function = &module->function;
  return SUCCESS;
}

int maxThreadsFor(const Module* m) {
  const int regs = (std::max(m->registers, 1) + 7) / 8 * 8;
  return std::max(32, std::min(g_config.functionMaxThreads, 65536 / regs / 32 * 32));
}

CUresult cuFuncGetAttribute(int* value, int attribute, Function* function) {
  std::lock_guard<std::mutex> lock(g_mutex);
  if (g_functions.count(function) == 0) return INVALID_HANDLE;
  const Module* m = function->module;
  switch (attribute) {
    case 0: *value = maxThreadsFor(m); return SUCCESS;      // MAX_THREADS_PER_BLOCK
    case 1: case 2: *value = 0; return SUCCESS;              // SHARED / CONST size
    case 3: *value = g_config.localBytes; return SUCCESS;    // LOCAL_SIZE_BYTES
    case 4: *value = m->registers; return SUCCESS;           // NUM_REGS
    case 5: *value = m->ptxVersion; return SUCCESS;          // PTX_VERSION
    case 6: *value = m->binaryVersion; return SUCCESS;       // BINARY_VERSION
    default: return INVALID_VALUE;
  }
}

CUresult cuFuncGetParamInfo(Function* function, size_t index, size_t* offset, size_t* size) {
  std::lock_guard<std::mutex> lock(g_mutex);
  if (g_functions.count(function) == 0) return INVALID_HANDLE;
  const Module* m = function->module;
  if (index >= m->params.size()) return INVALID_VALUE;
  *offset = m->params[index].first;
  *size = m->params[index].second;
  return SUCCESS;
}

int blocksPerMultiprocessor(const Module* m, int block) {
  const int regs = (std::max(m->registers, 1) + 7) / 8 * 8;
  const int warps = (block + 31) / 32;
  return std::max(0, std::min({32, 2048 / (warps * 32), 65536 / (regs * warps * 32)}));
}

CUresult cuOccupancyMaxActiveBlocksPerMultiprocessor(int* blocks, Function* function, int block, size_t) {
  std::lock_guard<std::mutex> lock(g_mutex);
  if (g_functions.count(function) == 0) return INVALID_HANDLE;
  *blocks = blocksPerMultiprocessor(function->module, block);
  return SUCCESS;
}

CUresult cuOccupancyMaxPotentialBlockSize(int* minGrid, int* blockSize, Function* function, CUoccupancyB2DSize, size_t, int limit) {
  std::lock_guard<std::mutex> lock(g_mutex);
  if (g_functions.count(function) == 0) return INVALID_HANDLE;
  const Module* m = function->module;
  int best = 32, bestThreads = 0;
  const int most = std::min(limit > 0 ? limit : 1024, maxThreadsFor(m));
  for (int block = most / 32 * 32; block >= 32; block -= 32) {
    const int threads = blocksPerMultiprocessor(m, block) * block;
    if (threads > bestThreads) {
      best = block;
      bestThreads = threads;
    }
  }
  *blockSize = best;
  *minGrid = blocksPerMultiprocessor(m, best) * g_config.multiprocessors;
  return SUCCESS;
}

CUresult cuLaunchKernel(Function* function, unsigned int gridX, unsigned int gridY, unsigned int gridZ, unsigned int blockX,
                        unsigned int blockY, unsigned int blockZ, unsigned int sharedBytes, Stream* stream, void** params,
                        void** extra) {
  std::lock_guard<std::mutex> lock(g_mutex);
  Context* c = current();
  if (CUresult rc = usable(c)) return rc;
  if (CUresult rc = checkStream(stream, c)) return rc;
  if (g_functions.count(function) == 0 || function->module->context != c) {
    violation("cuLaunchKernel of a function not loaded in the current context");
    return INVALID_HANDLE;
  }
  Module* m = function->module;
  if (gridY != 1 || gridZ != 1 || blockY != 1 || blockZ != 1 || gridX == 0 || blockX == 0 || sharedBytes != 0 || extra != nullptr ||
      params == nullptr || params[0] == nullptr) {
    violation("cuLaunchKernel with a launch cubie never makes (not 1-D, shared memory, extra, or no parameters)");
    return INVALID_VALUE;
  }
  if (static_cast<int>(blockX) > maxThreadsFor(m)) return INVALID_VALUE;
  const long long n = ++g_stats.launches;
  if (g_config.launchOomAt.count(n) > 0) return OUT_OF_MEMORY;
  // The driver copies the parameters at the launch: so does the fake, by the kernel's signature.
  std::vector<uint64_t> block((m->paramBytes + 7) / 8);
  memcpy(block.data(), params[0], m->paramBytes);
  double runsValue = 0;
  memcpy(&runsValue, block.data(), sizeof(double));
  const long long runs = static_cast<long long>(runsValue);
  if (g_stats.launchLog.size() < 10000) {
    g_stats.launchLog.push_back(std::to_string(c->device) + " " + std::to_string(gridX) + " " + std::to_string(blockX) + " " + std::to_string(runs));
  }
  const bool fail = g_config.launchFailAt.count(n) > 0, lose = g_config.deviceLostAt.count(n) > 0;
  const int delay = g_config.launchDelayUs;
  const size_t scalars = static_cast<size_t>(m->abi[1]);
  enqueue(stream, [=] {
    {
      std::lock_guard<std::mutex> inner(g_mutex);
      if (c->sticky != SUCCESS || g_devices[c->device].lost) return;
      if (fail || lose) {
        c->sticky = LAUNCH_FAILED;
        if (lose) g_devices[c->device].lost = true;
        g_changed.notify_all();
        return;
      }
      for (size_t i = scalars; i < block.size(); ++i) {
        if (block[i] != 0 && findAllocation(block[i], 1, c) == nullptr) {
          violation("kernel argument buffer " + std::to_string(i - scalars) + " is not in a live allocation of the launching context");
          c->sticky = ILLEGAL_ADDRESS;
          return;
        }
      }
      if (!(runsValue >= 0) || static_cast<double>(runs) != runsValue) {
        violation("kernel argument: the run count is not a whole number");
        c->sticky = ILLEGAL_ADDRESS;
        return;
      }
    }
    if (delay > 0) std::this_thread::sleep_for(std::chrono::microseconds(delay));
    // Every launched thread with run < n_runs integrates its run, as on the device.
    m->runRange(block.data(), 0, std::min(runs, static_cast<long long>(gridX) * blockX));
    std::lock_guard<std::mutex> inner(g_mutex);
    for (const auto& entry : g_allocations) {
      if (entry.second.context == c && !guardsIntact(entry.second)) {
        violation("the kernel wrote outside a " + std::to_string(entry.second.size) + "-byte allocation");
        c->sticky = ILLEGAL_ADDRESS;
      }
    }
  });
  return SUCCESS;
}

}  // extern "C"

// ==================================================================== control (N-API)

namespace {

std::string jsonString(const std::string& s) {
  std::string out = "\"";
  for (char ch : s) {
    if (ch == '"' || ch == '\\') out += '\\';
    if (static_cast<unsigned char>(ch) < 0x20) {
      out += ' ';
      continue;
    }
    out += ch;
  }
  return out + "\"";
}

std::string statsJson() {
  std::lock_guard<std::mutex> lock(g_mutex);
  std::ostringstream o;
  const Stats& s = g_stats;
  o << "{\"allocations\":" << s.allocations << ",\"allocationFailures\":" << s.allocationFailures
    << ",\"hostAllocations\":" << s.hostAllocations << ",\"hostAllocationFailures\":" << s.hostAllocationFailures
    << ",\"launches\":" << s.launches << ",\"copiesToDevice\":" << s.copiesToDevice << ",\"copiesToHost\":" << s.copiesToHost
    << ",\"pageableAsyncCopies\":" << s.pageableAsyncCopies << ",\"moduleLoads\":" << s.moduleLoads << ",\"ptxLoads\":" << s.ptxLoads
    << ",\"cubinLoads\":" << s.cubinLoads << ",\"refusedImages\":" << s.refusedImages << ",\"contextResets\":" << s.contextResets
    << ",\"reclaimedAllocations\":" << s.reclaimedAllocations << ",\"reclaimedHostAllocations\":" << s.reclaimedHostAllocations
    << ",\"reclaimedObjects\":" << s.reclaimedObjects;
  o << ",\"liveAllocations\":" << g_allocations.size() << ",\"liveHostAllocations\":" << g_hostAllocations.size()
    << ",\"liveModules\":" << g_modules.size() << ",\"liveStreams\":" << g_streams.size() << ",\"liveEvents\":" << g_events.size();
  o << ",\"devices\":[";
  for (int d = 0; d < g_config.devices; ++d) {
    const Context& c = g_contexts[d];
    o << (d ? "," : "") << "{\"retains\":" << c.retains << ",\"lost\":" << (g_devices[d].lost ? "true" : "false")
      << ",\"usedBytes\":" << g_devices[d].used << ",\"peakBytes\":" << g_devices[d].peak << ",\"maxBusyStreams\":" << c.maxBusyStreams
      << ",\"modules\":" << c.modules.size() << "}";
  }
  o << "],\"launchLog\":[";
  for (size_t i = 0; i < s.launchLog.size(); ++i) o << (i ? "," : "") << jsonString(s.launchLog[i]);
  o << "],\"violations\":[";
  for (size_t i = 0; i < s.violations.size(); ++i) o << (i ? "," : "") << jsonString(s.violations[i]);
  o << "]}";
  return o.str();
}

std::string valueText(napi_env env, napi_value value) {
  napi_value text;
  if (napi_coerce_to_string(env, value, &text) != napi_ok) return "";
  size_t length = 0;
  napi_get_value_string_utf8(env, text, nullptr, 0, &length);
  std::string out(length, '\0');
  napi_get_value_string_utf8(env, text, &out[0], length + 1, &length);
  return out;
}

// configure({ devices, cc, totalBytes, freeBytes, capacityBytes, driverVersion, multiprocessors,
//             localBytes, launchDelayUs, jitterUs, hostKernels, faults }): the environment's
// settings overlaid with these; fault and statistics counters restart; lost devices come back.
napi_value Configure(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  Config config = configFromEnvironment();
  if (argc >= 1) {
    napi_value keys;
    uint32_t n = 0;
    if (napi_get_property_names(env, argv[0], &keys) == napi_ok && napi_get_array_length(env, keys, &n) == napi_ok) {
      for (uint32_t i = 0; i < n; ++i) {
        napi_value key, value;
        napi_get_element(env, keys, i, &key);
        napi_get_property(env, argv[0], key, &value);
        applySetting(config, valueText(env, key), valueText(env, value));
      }
    }
  }
  std::lock_guard<std::mutex> lock(g_mutex);
  g_config = config;
  g_configured = true;
  std::vector<std::string> violations = std::move(g_stats.violations);
  g_stats = Stats();
  g_stats.violations = std::move(violations);  // violations survive until clearViolations()
  for (Device& d : g_devices) {
    d.lost = false;
    d.peak = d.used;
  }
  for (Context& c : g_contexts) c.maxBusyStreams = 0;
  return nullptr;
}

napi_value GetStats(napi_env env, napi_callback_info) {
  std::string json = statsJson();
  napi_value out;
  napi_create_string_utf8(env, json.c_str(), json.size(), &out);
  return out;
}

napi_value ClearViolations(napi_env, napi_callback_info) {
  std::lock_guard<std::mutex> lock(g_mutex);
  g_stats.violations.clear();
  return nullptr;
}

}  // namespace

NAPI_MODULE_INIT() {
  const std::pair<const char*, napi_callback> functions[] = {
      {"configure", Configure}, {"stats", GetStats}, {"clearViolations", ClearViolations}};
  for (const auto& f : functions) {
    napi_value fn;
    napi_create_function(env, f.first, NAPI_AUTO_LENGTH, f.second, nullptr, &fn);
    napi_set_named_property(env, exports, f.first, fn);
  }
  return exports;
}
