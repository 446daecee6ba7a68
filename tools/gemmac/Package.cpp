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
#include "llvm/Support/raw_ostream.h"

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

/// Runs the C++ driver with `args` (args[0] is the driver), logging to
/// `dir`/link.log; the log is removed on success and quoted on failure.
static llvm::Error runLinker(const std::vector<std::string> &args, llvm::StringRef dir,
                             llvm::StringRef output) {
  std::vector<llvm::StringRef> refs(args.begin(), args.end());
  std::string error;
  llvm::SmallString<256> log(dir);
  path::append(log, "link.log");
  std::optional<llvm::StringRef> redirects[] = {std::nullopt, llvm::StringRef(log),
                                                llvm::StringRef(log)};
  int rc = llvm::sys::ExecuteAndWait(args[0], refs, std::nullopt, redirects, 0, 0, &error);
  if (rc != 0) {
    auto text = llvm::MemoryBuffer::getFile(log);
    std::string detail = text ? (*text)->getBuffer().str() : error;
    return llvm::createStringError("linking %s failed (%s): %s", output.str().c_str(),
                                   args[0].c_str(), detail.c_str());
  }
  fs::remove(log);
  return llvm::Error::success();
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
  if (llvm::Error err = runLinker(args, dir, exe))
    return err;
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

const std::vector<std::string> &gemma::cApiFunctions() {
  static const std::vector<std::string> names = {
      "gemma_load",          "gemma_free",         "gemma_last_error",
      "gemma_vocab_size",    "gemma_context_size", "gemma_has_tokenizer",
      "gemma_default_sampling", "gemma_tokenize",  "gemma_detokenize",
      "gemma_chat_prompt",   "gemma_generate"};
  return names;
}

static llvm::Error copyInto(llvm::StringRef src, llvm::StringRef dir, llvm::StringRef sub,
                            llvm::StringRef name) {
  llvm::SmallString<256> dest(dir);
  path::append(dest, sub);
  if (std::error_code ec = fs::create_directories(dest))
    return llvm::createStringError("cannot create %s: %s", dest.c_str(), ec.message().c_str());
  path::append(dest, name);
  if (std::error_code ec = fs::copy_file(src, dest))
    return llvm::createStringError("cannot copy %s to %s: %s", src.str().c_str(),
                                   dest.c_str(), ec.message().c_str());
  return llvm::Error::success();
}

llvm::Error gemma::linkCApi(llvm::StringRef object, llvm::StringRef runtimeArchive,
                            llvm::StringRef dir) {
  llvm::SmallString<256> capiDir(path::parent_path(runtimeArchive));
  path::append(capiDir, "gemma-capi");
  llvm::SmallString<256> header(capiDir), example(capiDir);
  path::append(header, "gemma.h");
  path::append(example, "example.c");
  if (!fs::exists(header) || !fs::exists(example))
    return llvm::createStringError("cannot find the C API files %s and %s next to the "
                                   "runtime library (rebuild the gemma_runtime target)",
                                   header.c_str(), example.c_str());
  auto linker = findLinker();
  if (!linker)
    return linker.takeError();

  // Only the C API is exported: the model's and the runtime's own symbols
  // stay local, so the library can sit next to anything.
  llvm::SmallString<256> script(dir);
  path::append(script, "libgemma.map");
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(script, ec);
    if (ec)
      return llvm::createStringError("cannot write %s: %s", script.c_str(),
                                     ec.message().c_str());
    os << "{\n  global:\n";
    for (const std::string &f : cApiFunctions())
      os << "    " << f << ";\n";
    os << "  local: *;\n};\n";
  }
  llvm::SmallString<256> lib(dir);
  path::append(lib, "libgemma.so");
  std::vector<std::string> args = {*linker, "-shared", "-o", std::string(lib),
                                   "-Wl,-soname,libgemma.so", object.str(),
                                   // Pull the C API's object out of the archive.
                                   "-Wl,--undefined=gemma_load", runtimeArchive.str(),
                                   "-fopenmp=libomp", "-lm", "-Wl,-rpath,$ORIGIN",
                                   "-Wl,--as-needed", "-Wl,-z,defs",
                                   "-Wl,--version-script=" + std::string(script)};
  llvm::Error err = runLinker(args, dir, lib);
  fs::remove(script);
  if (err)
    return err;
  if (llvm::Error e = copyInto(header, dir, "include", "gemma.h"))
    return e;
  return copyInto(example, dir, "examples", "example.c");
}

llvm::Error gemma::copyModelFiles(llvm::StringRef modelDir, llvm::StringRef tokenizer,
                                  llvm::StringRef dir) {
  for (const char *name : {"generation_config.json", "tokenizer.json", "tokenizer_config.json",
                           "chat_template.jinja"}) {
    llvm::SmallString<256> src(modelDir);
    path::append(src, name);
    if (!tokenizer.empty() && llvm::StringRef(name) == "tokenizer.json") {
      if (!fs::is_regular_file(tokenizer))
        return llvm::createStringError("--tokenizer: %s does not exist or is not a file",
                                       tokenizer.str().c_str());
      src = tokenizer;
    } else if (!fs::exists(src)) {
      continue;
    }
    if (llvm::Error e = copyInto(src, dir, "", name))
      return e;
  }
  return llvm::Error::success();
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
