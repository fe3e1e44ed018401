// A shared library opened with dlopen and the symbols resolved from it.
// cubie links no CUDA library: everything CUDA is reached through this.
#pragma once
#include <string>

namespace cubie {

class DynLib {
 public:
  DynLib() = default;
  ~DynLib();
  DynLib(const DynLib&) = delete;
  DynLib& operator=(const DynLib&) = delete;

  // Opens `path`; on failure returns false and leaves dlerror()'s text in `error`.
  bool open(const std::string& path, bool global, std::string* error);
  void close();
  bool isOpen() const { return handle_ != nullptr; }
  // The file the loader actually mapped (resolves bare sonames to a path).
  std::string resolvedPath() const;

  // Resolves `name` exactly; returns false and names the symbol in `error`.
  template <typename Fn>
  bool symbol(const char* name, Fn* out, std::string* error) {
    void* p = raw(name);
    if (p == nullptr) {
      if (error != nullptr) *error = std::string("missing symbol ") + name;
      return false;
    }
    *out = reinterpret_cast<Fn>(p);
    return true;
  }

 private:
  void* raw(const char* name);
  void* handle_ = nullptr;
};

}  // namespace cubie
