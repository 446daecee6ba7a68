//===- safetensors_writer.cpp - streaming safetensors output -------------===//
//
// Layout: u64 LE header length, JSON header padded with spaces to a multiple
// of 8, then row-major little-endian F32 data.
//
//===----------------------------------------------------------------------===//
#include "runtime/safetensors_writer.h"

namespace gemma_rt {

Status SafetensorsWriter::open(const std::string &path, const std::string &flag,
                               const std::string &name, int64_t nRows,
                               int64_t nCols) {
  rows = nRows;
  cols = nCols;
  written = 0;
  unsigned long long bytes =
      static_cast<unsigned long long>(rows) * static_cast<unsigned long long>(cols) * 4ull;
  // `name` is chosen by gemma-run (plain ASCII), so it needs no escaping.
  std::string header = format(
      "{\"%s\":{\"dtype\":\"F32\",\"shape\":[%lld,%lld],\"data_offsets\":[0,%llu]}}",
      name.c_str(), static_cast<long long>(rows), static_cast<long long>(cols),
      bytes);
  while (header.size() % 8)
    header += ' ';
  GEMMA_RT_TRY(out.open(path, flag));
  unsigned char len[8];
  uint64_t n = header.size();
  for (int i = 0; i < 8; ++i)
    len[i] = static_cast<unsigned char>(n >> (8 * i));
  GEMMA_RT_TRY(out.write(len, 8));
  return out.write(header);
}

Status SafetensorsWriter::writeRows(const float *data, int64_t count) {
  if (written + count > rows)
    return Status::error(format("internal error: %lld logits rows for a file of %lld",
                                static_cast<long long>(written + count),
                                static_cast<long long>(rows)));
  written += count;
  // x86-64 is little endian: the floats go out as they are.
  return out.write(data, static_cast<size_t>(count) * static_cast<size_t>(cols) *
                             sizeof(float));
}

Status SafetensorsWriter::commit() {
  if (written != rows) {
    out.discard();
    return Status::error(format("internal error: wrote %lld of %lld logits rows",
                                static_cast<long long>(written),
                                static_cast<long long>(rows)));
  }
  return out.commit();
}

} // namespace gemma_rt
