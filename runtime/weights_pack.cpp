//===- weights_pack.cpp - validation and loading of weights.gpack --------===//
//
// Every bound is checked with overflow-safe arithmetic so a damaged or
// foreign file ends as one clear error, never as a crash in generated code.
// The file is mapped for the checks; by default it is then read into huge
// pages (runtime/page_memory.h) and the mapping dropped.
//
//===----------------------------------------------------------------------===//
#include "runtime/weights_pack.h"
#include "runtime/page_memory.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <limits.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace gemma_rt {

namespace {

constexpr char kMagic[8] = {'G', 'E', 'M', 'M', 'A', 'P', 'K', '1'};
constexpr uint32_t kVersion = 2; // frontend/WeightsPack.h kPackVersion
constexpr uint64_t kFixedHeader = 8 + 4 + 4 + 8 + 8 + 8;
constexpr uint32_t kMaxRank = 16;
/// Bytes per read() when the pack is read into memory.
constexpr uint64_t kReadChunk = uint64_t(64) << 20;

/// Little-endian reader over [p, p + n) that records running past the end.
struct Reader {
  const uint8_t *p;
  uint64_t n, pos = 0;
  bool overrun = false;
  bool need(uint64_t k) {
    if (overrun || k > n - pos) {
      overrun = true;
      return false;
    }
    return true;
  }
  uint64_t uint(unsigned bytes) {
    if (!need(bytes))
      return 0;
    uint64_t v = 0;
    for (unsigned i = 0; i < bytes; ++i)
      v |= static_cast<uint64_t>(p[pos + i]) << (8 * i);
    pos += bytes;
    return v;
  }
  void skip(uint64_t k) {
    if (need(k))
      pos += k;
  }
};

std::string hex(uint64_t v) {
  return format("0x%016llx", static_cast<unsigned long long>(v));
}

} // namespace

WeightsPack::WeightsPack() = default;

WeightsPack::~WeightsPack() {
  if (mapped)
    ::munmap(const_cast<uint8_t *>(mapped), size);
}

namespace {

/// Closes the file on every return path of WeightsPack::open.
struct FileCloser {
  int fd;
  ~FileCloser() { ::close(fd); }
};

/// pread's whole `n` bytes (a kReadChunk at most) at `offset`, or the
/// reason it could not.
Status readFully(int fd, uint8_t *to, uint64_t n, uint64_t offset, const char *f) {
  while (n > 0) {
    ssize_t got = ::pread(fd, to, n, static_cast<off_t>(offset));
    if (got < 0 && errno == EINTR)
      continue;
    if (got <= 0)
      return Status::error(format(
          "cannot read weights file '%s' at byte %llu: %s", f,
          static_cast<unsigned long long>(offset),
          got < 0 ? osError(errno).c_str() : "the file became shorter while being read"));
    to += got;
    n -= static_cast<uint64_t>(got);
    offset += static_cast<uint64_t>(got);
  }
  return Status::ok();
}

} // namespace

Status WeightsPack::open(const std::string &path, uint64_t expectedHash,
                         uint64_t expectedDataSize, WeightsLoad load) {
  filePath = path;
  const char *f = path.c_str();
  int fd = ::open(f, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return Status::error(format("cannot open weights file '%s': %s", f,
                                osError(errno).c_str()));
  FileCloser closer{fd};
  struct stat st;
  if (::fstat(fd, &st) != 0)
    return Status::error(
        format("cannot stat weights file '%s': %s", f, osError(errno).c_str()));
  if (!S_ISREG(st.st_mode))
    return Status::error(format("weights file '%s' is not a regular file", f));
  size = static_cast<uint64_t>(st.st_size);
  if (size < kFixedHeader) {
    return Status::error(
        format("weights file '%s' is truncated: %llu bytes, shorter than the "
               "%llu-byte pack header",
               f, static_cast<unsigned long long>(size),
               static_cast<unsigned long long>(kFixedHeader)));
  }
  void *m = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  if (m == MAP_FAILED)
    return Status::error(format("cannot map weights file '%s': %s", f,
                                osError(errno).c_str()));
  base = mapped = static_cast<const uint8_t *>(m);

  if (std::memcmp(base, kMagic, 8) != 0)
    return Status::error(
        format("weights file '%s' is not a gemmac weights pack (bad magic)", f));
  Reader r{base, size};
  r.skip(8);
  uint32_t version = static_cast<uint32_t>(r.uint(4));
  if (version != kVersion)
    return Status::error(format(
        "weights file '%s' has pack version %u; this gemma-run reads version %u "
        "(recompile the model with a matching gemmac)",
        f, version, kVersion));
  uint32_t entryCount = static_cast<uint32_t>(r.uint(4));
  uint64_t modelHash = r.uint(8);
  dataOffset = r.uint(8);
  dataBytes = r.uint(8);

  // Entries: name, dtype, rank, dims, offset, nbytes.
  struct Span {
    uint64_t offset, nbytes;
  };
  int64_t total = 0;
  bool countOverflow = false;
  for (uint32_t e = 0; e < entryCount; ++e) {
    uint64_t nameLen = r.uint(4);
    r.skip(nameLen);
    r.uint(4); // dtype
    uint64_t rank = r.uint(4);
    if (!r.overrun && rank > kMaxRank)
      return Status::error(format(
          "weights file '%s' is corrupt: entry %u has rank %llu", f, e,
          static_cast<unsigned long long>(rank)));
    int64_t elems = 1;
    for (uint64_t d = 0; d < rank && !r.overrun; ++d) {
      int64_t dim = static_cast<int64_t>(r.uint(8));
      if (dim < 0 || (dim && elems > INT64_MAX / dim))
        countOverflow = true;
      else
        elems *= dim;
    }
    Span s;
    s.offset = r.uint(8);
    s.nbytes = r.uint(8);
    if (r.overrun)
      return Status::error(format(
          "weights file '%s' is truncated or corrupt: header entry %u of %u "
          "runs past the end of the file (%llu bytes)",
          f, e, entryCount, static_cast<unsigned long long>(size)));
    if (s.offset > dataBytes || s.nbytes > dataBytes - s.offset)
      return Status::error(format(
          "weights file '%s' is corrupt: entry %u (bytes %llu..+%llu) lies "
          "outside the %llu-byte data section",
          f, e, static_cast<unsigned long long>(s.offset),
          static_cast<unsigned long long>(s.nbytes),
          static_cast<unsigned long long>(dataBytes)));
    if (!countOverflow && total <= INT64_MAX - elems)
      total += elems;
    else
      countOverflow = true;
  }
  params = (entryCount == 0 || countOverflow) ? -1 : total;

  if (modelHash != expectedHash)
    return Status::error(format(
        "weights file '%s' does not belong to this deployable (model hash %s, "
        "expected %s)",
        f, hex(modelHash).c_str(), hex(expectedHash).c_str()));
  if (dataOffset < r.pos)
    return Status::error(format(
        "weights file '%s' is corrupt: data offset %llu overlaps the %llu-byte "
        "header",
        f, static_cast<unsigned long long>(dataOffset),
        static_cast<unsigned long long>(r.pos)));
  if (dataOffset > size || dataBytes > size - dataOffset)
    return Status::error(format(
        "weights file '%s' is truncated: its data ends at byte %llu but the "
        "file has %llu bytes",
        f,
        static_cast<unsigned long long>(dataOffset + dataBytes < dataOffset
                                            ? UINT64_MAX
                                            : dataOffset + dataBytes),
        static_cast<unsigned long long>(size)));
  if (dataBytes != expectedDataSize)
    return Status::error(format(
        "weights file '%s' holds %llu bytes of tensor data; this deployable "
        "expects %llu",
        f, static_cast<unsigned long long>(dataBytes),
        static_cast<unsigned long long>(expectedDataSize)));
  if (dataOffset % 64)
    return Status::error(format(
        "weights file '%s' is corrupt: data offset %llu is not 64-byte aligned",
        f, static_cast<unsigned long long>(dataOffset)));
  if (load == WeightsLoad::Map)
    return Status::ok();
  return readIntoMemory(fd);
}

Status WeightsPack::readIntoMemory(int fd) {
  const char *f = filePath.c_str();
  // Reading needs the whole pack as anonymous memory; past what the kernel
  // can give without swapping, the mapping (paged from the file) is kept.
  constexpr int64_t kHeadroom = int64_t(1) << 30;
  int64_t available = availableMemoryBytes();
  if (available >= 0 && static_cast<int64_t>(size) > available - kHeadroom) {
    note = format("weights file '%s' (%.2f GiB) is mapped, not read into memory: "
                  "only %.2f GiB are available (decode may be slower; --mmap "
                  "silences this)",
                  f, static_cast<double>(size) / (1 << 30),
                  static_cast<double>(available) / (1 << 30));
    return Status::ok();
  }
  auto buffer = std::make_unique<HugePageBuffer>();
  GEMMA_RT_TRY(buffer->allocate(size, f));
  // In chunks on every thread: one thread alone spends most of its time in
  // the kernel's page faults on the fresh memory (0.5 s for 3 GB with two
  // threads, 1-4 s with one).
  const uint64_t chunks = (size + kReadChunk - 1) / kReadChunk;
  std::vector<Status> failures(chunks);
  uint8_t *to = buffer->data();
#pragma omp parallel for schedule(dynamic)
  for (uint64_t c = 0; c < chunks; ++c) {
    uint64_t offset = c * kReadChunk;
    failures[c] = readFully(fd, to + offset, std::min(kReadChunk, size - offset), offset, f);
  }
  for (const Status &st : failures)
    GEMMA_RT_TRY(st);
  // The checks above read the mapping; the copy must hold the same header
  // (the file was not rewritten in place in between).
  if (std::memcmp(buffer->data(), mapped, dataOffset) != 0)
    return Status::error(format("weights file '%s' changed while being read", f));
  ::munmap(const_cast<uint8_t *>(mapped), size);
  mapped = nullptr;
  memory = std::move(buffer);
  base = memory->data();
  return Status::ok();
}

std::string defaultWeightsPath() {
  char buf[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  if (n <= 0)
    return "weights.gpack";
  std::string exe(buf, static_cast<size_t>(n));
  size_t slash = exe.rfind('/');
  if (slash == std::string::npos)
    return "weights.gpack";
  return exe.substr(0, slash + 1) + "weights.gpack";
}

} // namespace gemma_rt
