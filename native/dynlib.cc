#include "dynlib.h"

#include <dlfcn.h>
#include <link.h>

namespace cubie {

DynLib::~DynLib() { close(); }

bool DynLib::open(const std::string& path, bool global, std::string* error) {
  close();
  dlerror();
  handle_ = dlopen(path.c_str(), RTLD_NOW | (global ? RTLD_GLOBAL : RTLD_LOCAL));
  if (handle_ == nullptr) {
    const char* msg = dlerror();
    if (error != nullptr) *error = msg != nullptr ? msg : "dlopen failed";
    return false;
  }
  return true;
}

void DynLib::close() {
  if (handle_ != nullptr) dlclose(handle_);
  handle_ = nullptr;
}

std::string DynLib::resolvedPath() const {
  if (handle_ == nullptr) return "";
  struct link_map* map = nullptr;
  if (dlinfo(handle_, RTLD_DI_LINKMAP, &map) != 0 || map == nullptr || map->l_name == nullptr) return "";
  return map->l_name;
}

void* DynLib::raw(const char* name) {
  if (handle_ == nullptr) return nullptr;
  dlerror();
  return dlsym(handle_, name);
}

}  // namespace cubie
