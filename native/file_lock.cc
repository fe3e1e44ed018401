// Per-key cache locks with flock(2): the kernel drops a lock when its holder
// exits or is killed, so a crash never leaves a stale lock behind. Waiting
// happens on a worker thread and is bounded, after which the caller goes on
// without the lock (and compiles for itself).
#include <fcntl.h>
#include <napi.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <string>
#include <thread>

#include "js_error.h"

namespace cubie {
namespace {

class LockWorker : public PromiseWorker {
 public:
  LockWorker(Napi::Env env, std::string path, double timeoutMs)
      : PromiseWorker(env), path_(std::move(path)), timeoutMs_(timeoutMs) {}

  void Execute() override {
    int fd = open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
      fail("CACHE_ERROR", "cannot open lock file " + path_ + ": " + strerror(errno));
      return;
    }
    auto deadline = std::chrono::steady_clock::now() + std::chrono::microseconds(static_cast<long long>(timeoutMs_ * 1000));
    for (;;) {
      if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
        fd_ = fd;
        return;
      }
      if (errno != EWOULDBLOCK && errno != EINTR) {
        std::string reason = strerror(errno);
        close(fd);
        fail("CACHE_ERROR", "cannot lock " + path_ + ": " + reason);
        return;
      }
      if (std::chrono::steady_clock::now() >= deadline) {
        close(fd);
        return;  // timed out: fd_ stays -1
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }

  Napi::Value result(Napi::Env env) override { return fd_ >= 0 ? Napi::Number::New(env, fd_) : env.Null(); }

 private:
  std::string path_;
  double timeoutMs_;
  int fd_ = -1;
};

}  // namespace

// lockFile(path, timeoutMs) -> Promise<fd | null>  (null: still held by another process after timeoutMs)
Napi::Value LockFile(const Napi::CallbackInfo& info) {
  auto* worker = new LockWorker(info.Env(), info[0].ToString().Utf8Value(), info[1].ToNumber().DoubleValue());
  Napi::Promise promise = worker->promise();
  worker->Queue();
  return promise;
}

// unlockFile(fd): releases the lock by closing the descriptor.
Napi::Value UnlockFile(const Napi::CallbackInfo& info) {
  int fd = info[0].ToNumber().Int32Value();
  if (fd >= 0) close(fd);
  return info.Env().Undefined();
}

void RegisterFileLock(Napi::Env env, Napi::Object exports) {
  exports.Set("lockFile", Napi::Function::New(env, LockFile));
  exports.Set("unlockFile", Napi::Function::New(env, UnlockFile));
}

}  // namespace cubie
