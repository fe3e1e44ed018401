// What the two runners' async workers share: the Promise a run settles, the
// JavaScript objects its native threads use (held until it settles), and
// progress handed to the optional onProgress(done, total) on the JavaScript
// thread.
#pragma once
#include <napi.h>

#include <utility>

#include "run_args.h"

namespace cubie {

class RunWorker : public Napi::AsyncProgressQueueWorker<long long> {
 public:
  RunWorker(Napi::Env env, long long total, RunJsRefs js)
      : Napi::AsyncProgressQueueWorker<long long>(env),
        deferred_(Napi::Promise::Deferred::New(env)),
        total_(total),
        js_(std::move(js)) {}

  Napi::Promise promise() { return deferred_.Promise(); }

 protected:
  // Called on the worker thread with the runs finished so far.
  static void report(const ExecutionProgress& progress, long long done) { progress.Send(&done, 1); }

  // Reports that queued up while JavaScript was busy collapse to the latest.
  void OnProgress(const long long* done, size_t count) override {
    if (js_.onProgress.IsEmpty() || count == 0) return;
    Napi::HandleScope scope(Env());
    js_.onProgress.Call({Napi::Number::New(Env(), static_cast<double>(done[count - 1])),
                         Napi::Number::New(Env(), static_cast<double>(total_))});
  }

  Napi::Promise::Deferred deferred_;

 private:
  long long total_;
  RunJsRefs js_;
};

}  // namespace cubie
