#include "run_args.h"

#include <cmath>
#include <string>

#include "js_error.h"

namespace cubie {
namespace {

size_t elementBytes(napi_typedarray_type type) {
  switch (type) {
    case napi_int8_array:
    case napi_uint8_array:
    case napi_uint8_clamped_array:
      return 1;
    case napi_int16_array:
    case napi_uint16_array:
      return 2;
    case napi_int32_array:
    case napi_uint32_array:
    case napi_float32_array:
      return 4;
    default:
      return 8;
  }
}

struct TypedArrayView {
  napi_typedarray_type type = napi_int8_array;
  size_t length = 0;
  void* data = nullptr;
};

bool view(Napi::Env env, Napi::Value value, TypedArrayView* out) {
  napi_value arrayBuffer;
  size_t offset = 0;
  return value.IsTypedArray() &&
         napi_get_typedarray_info(env, value, &out->type, &out->length, &out->data, &arrayBuffer, &offset) == napi_ok;
}

Napi::Error bad(Napi::Env env, const char* fn, const std::string& what) {
  return makeError(env, "INTERNAL", std::string(fn) + ": " + what);
}

}  // namespace

RunArgs readRunArgs(Napi::Env env, const char* fn, Napi::Value scalars, Napi::Value buffers, Napi::Value options) {
  RunArgs args;

  TypedArrayView s;
  if (!view(env, scalars, &s) || s.type != napi_float64_array) throw bad(env, fn, "the scalars are not a Float64Array");
  if (s.length < 1) throw bad(env, fn, "no scalar slots (slot 0 is the run count)");
  const double* first = static_cast<const double*>(s.data);
  args.scalars.assign(first, first + s.length);
  // A count the threads cannot split into whole runs would leave runs unrun or read past the arrays.
  const double runs = args.scalars[0];
  if (!(runs >= 0) || runs != std::floor(runs)) throw bad(env, fn, "the run count is not a whole number");
  args.nRuns = static_cast<long long>(runs);

  if (!buffers.IsArray()) throw bad(env, fn, "the buffers are not an array");
  Napi::Array list = buffers.As<Napi::Array>();
  for (uint32_t i = 0; i < list.Length(); ++i) {
    Napi::Value value = list.Get(i);
    RunBuffer b;
    if (!value.IsNull() && !value.IsUndefined()) {
      if (!value.IsTypedArray()) throw bad(env, fn, "buffer " + std::to_string(i) + " is not a typed array");
      TypedArrayView v;
      if (!view(env, value, &v)) throw bad(env, fn, "cannot read buffer " + std::to_string(i));
      if (v.length > 0) {
        b.data = static_cast<char*>(v.data);
        b.length = v.length;
        b.elementBytes = elementBytes(v.type);
        args.js.keepAlive.push_back(Napi::Persistent(value.As<Napi::Object>()));
      }
    }
    args.buffers.push_back(b);
  }

  if (!options.IsObject()) throw bad(env, fn, "the options are not an object");
  Napi::Object o = options.As<Napi::Object>();
  Napi::Value cancel = o.Get("cancel");
  if (cancel.IsTypedArray()) {
    // The threads read the flag as one aligned 32-bit word.
    TypedArrayView c;
    if (!view(env, cancel, &c) || (c.type != napi_int32_array && c.type != napi_uint32_array) || c.length < 1) {
      throw bad(env, fn, "options.cancel is not an Int32Array(1)");
    }
    args.cancel = static_cast<int32_t*>(c.data);
    args.js.keepAlive.push_back(Napi::Persistent(cancel.As<Napi::Object>()));
  }
  Napi::Value progress = o.Get("onProgress");
  if (progress.IsFunction()) args.js.onProgress = Napi::Persistent(progress.As<Napi::Function>());
  return args;
}

}  // namespace cubie
