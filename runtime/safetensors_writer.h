//===- safetensors_writer.h - stream a [R, V] F32 tensor to safetensors --===//
//
// --logits-out rows are produced one forward call at a time; the row count
// is known up front, so the header is written first and rows are streamed
// (R x 262144 floats never have to sit in memory).
//
//===----------------------------------------------------------------------===//
#ifndef GEMMA_RUNTIME_SAFETENSORS_WRITER_H
#define GEMMA_RUNTIME_SAFETENSORS_WRITER_H

#include "runtime/atomic_file.h"

#include <cstdint>
#include <string>

namespace gemma_rt {

/// Receives logits rows in order (the driver's view of --logits-out).
class LogitsSink {
public:
  virtual ~LogitsSink() = default;
  virtual Status writeRows(const float *rows, int64_t count) = 0;
};

class SafetensorsWriter : public LogitsSink {
public:
  /// Creates FILE.tmp holding the header of tensor `name` F32 [rows, cols].
  Status open(const std::string &path, const std::string &flag,
              const std::string &name, int64_t rows, int64_t cols);
  Status writeRows(const float *rows, int64_t count) override;
  /// Checks every row arrived, then renames FILE.tmp onto FILE.
  Status commit();

private:
  AtomicFile out;
  int64_t rows = 0, cols = 0, written = 0;
};

} // namespace gemma_rt

#endif
