// Errors handed to JavaScript carry a stable `code` and, when a tool
// produced one, its verbatim log; src/native turns them into CubieError.
#pragma once
#include <napi.h>

#include <string>

namespace cubie {

inline Napi::Error makeError(Napi::Env env, const std::string& code, const std::string& message,
                             const std::string& log = std::string()) {
  Napi::Error error = Napi::Error::New(env, message);
  error.Set("code", Napi::String::New(env, code));
  if (!log.empty()) error.Set("log", Napi::String::New(env, log));
  return error;
}

// An AsyncWorker settling a Promise; subclasses fill code_/message_/log_ on failure.
class PromiseWorker : public Napi::AsyncWorker {
 public:
  explicit PromiseWorker(Napi::Env env) : Napi::AsyncWorker(env), deferred_(Napi::Promise::Deferred::New(env)) {}
  Napi::Promise promise() { return deferred_.Promise(); }

 protected:
  void fail(const std::string& code, const std::string& message, const std::string& log = std::string()) {
    code_ = code;
    log_ = log;
    SetError(message);
  }
  void OnError(const Napi::Error& e) override {
    deferred_.Reject(makeError(Env(), code_.empty() ? "INTERNAL" : code_, e.Message(), log_).Value());
  }
  void OnOK() override { deferred_.Resolve(result(Env())); }
  virtual Napi::Value result(Napi::Env env) = 0;

 private:
  Napi::Promise::Deferred deferred_;
  std::string code_;
  std::string log_;
};

}  // namespace cubie
