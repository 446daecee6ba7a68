//===- Package.cpp - link the deployable ----------------------------------===//
//
// Linking uses the system C++ driver (clang++-22, as installed by the README)
// rather than lld-as-a-library: it knows the C runtime start files, libstdc++
// and OpenMP flags, and it is already a build dependency.
//
//===----------------------------------------------------------------------===//
#include "Package.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"

#include <vector>

using namespace gemma;
namespace fs = llvm::sys::fs;
namespace path = llvm::sys::path;

llvm::Expected<std::string> gemma::findRuntimeArchive(llvm::StringRef explicitPath,
                                                      const char *argv0) {
  if (!explicitPath.empty()) {
    if (!fs::exists(explicitPath))
      return llvm::createStringError("runtime library %s does not exist",
                                     explicitPath.str().c_str());
    return explicitPath.str();
  }
  std::string exe = fs::getMainExecutable(argv0, reinterpret_cast<void *>(&findRuntimeArchive));
  llvm::SmallString<256> candidate(path::parent_path(path::parent_path(exe)));
  path::append(candidate, "lib", "libgemma_runtime.a");
  if (!fs::exists(candidate))
    return llvm::createStringError("cannot find the runtime library %s (build the "
                                   "gemma_runtime target, or pass --runtime=PATH)",
                                   candidate.c_str());
  return std::string(candidate);
}

static llvm::Expected<std::string> findLinker() {
  for (const char *name : {"clang++-22", "clang++"})
    if (auto p = llvm::sys::findProgramByName(name))
      return *p;
  return llvm::createStringError("cannot find clang++-22 to link the deployable "
                                 "(apt-get install clang-22)");
}

llvm::Error gemma::linkDeployable(llvm::StringRef object, llvm::StringRef runtimeArchive,
                                  llvm::StringRef dir) {
  auto linker = findLinker();
  if (!linker)
    return linker.takeError();
  llvm::SmallString<256> exe(dir);
  path::append(exe, "gemma-run");
  std::vector<std::string> args = {*linker, "-o", std::string(exe), object.str(),
                                   runtimeArchive.str(), "-fopenmp=libomp", "-lm",
                                   "-Wl,-rpath,$ORIGIN", "-Wl,--as-needed"};
  std::vector<llvm::StringRef> refs(args.begin(), args.end());
  std::string error;
  llvm::SmallString<256> log(dir);
  path::append(log, "link.log");
  std::optional<llvm::StringRef> redirects[] = {std::nullopt, llvm::StringRef(log),
                                                llvm::StringRef(log)};
  int rc = llvm::sys::ExecuteAndWait(*linker, refs, std::nullopt, redirects, 0, 0, &error);
  if (rc != 0) {
    auto text = llvm::MemoryBuffer::getFile(log);
    std::string detail = text ? (*text)->getBuffer().str() : error;
    return llvm::createStringError("linking %s failed (%s): %s", exe.c_str(),
                                   (*linker).c_str(), detail.c_str());
  }
  fs::remove(log);
  // The deployable carries LLVM's OpenMP runtime (rpath $ORIGIN).
  for (const char *candidate : {"/usr/lib/llvm-22/lib/libomp.so.5",
                                "/usr/lib/x86_64-linux-gnu/libomp.so.5"}) {
    llvm::SmallString<256> real;
    if (fs::real_path(candidate, real))
      continue;
    llvm::SmallString<256> dest(dir);
    path::append(dest, "libomp.so.5");
    if (std::error_code ec = fs::copy_file(real, dest))
      return llvm::createStringError("cannot copy %s into %s: %s", real.c_str(),
                                     dir.str().c_str(), ec.message().c_str());
    return llvm::Error::success();
  }
  return llvm::createStringError("cannot find libomp.so.5 (apt-get install libomp-22-dev)");
}

llvm::Error gemma::commitDirectory(llvm::StringRef tmpDir, llvm::StringRef outDir) {
  if (fs::exists(outDir)) {
    llvm::SmallString<256> pack(outDir);
    path::append(pack, "weights.gpack");
    std::error_code ec;
    bool empty = fs::directory_iterator(outDir, ec) == fs::directory_iterator();
    if (!fs::is_directory(outDir) || (!fs::exists(pack) && !empty))
      return llvm::createStringError("%s exists and is not a gemmac deployable; "
                                     "choose another -o or remove it",
                                     outDir.str().c_str());
    if (std::error_code rm = fs::remove_directories(outDir))
      return llvm::createStringError("cannot replace %s: %s", outDir.str().c_str(),
                                     rm.message().c_str());
  }
  if (std::error_code ec = fs::rename(tmpDir, outDir))
    return llvm::createStringError("cannot move %s to %s: %s", tmpDir.str().c_str(),
                                   outDir.str().c_str(), ec.message().c_str());
  return llvm::Error::success();
}
