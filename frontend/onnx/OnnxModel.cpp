//===- OnnxModel.cpp - read model.onnx with libonnx's protobuf classes ----===//
//
// The only file of gemmac that includes protobuf headers. The message is
// parsed from the memory-mapped file; tensor bytes are then moved out of it
// (raw_data) or converted (float_data, int64_data, ...) and the message is
// dropped, so a model is held in memory once.
//
//===----------------------------------------------------------------------===//
#include "frontend/onnx/OnnxModel.h"

#include <onnx/onnx_pb.h> // defines ONNX_API, then includes onnx-ml.pb.h

#include <google/protobuf/io/coded_stream.h>

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Path.h"

#include <climits>
#include <cstring>

using namespace llvm;

namespace gemma::onnxfe {

size_t onnxTypeSize(int32_t type) {
  switch (type) {
  case kFloat: case kInt32: return 4;
  case kInt64: case kDouble: return 8;
  case kFloat16: case kBFloat16: return 2;
  case kBool: case kUint8: case kInt8: return 1;
  default: return 0;
  }
}

StringRef onnxTypeName(int32_t type) {
  switch (type) {
  case kFloat: return "FLOAT";
  case kUint8: return "UINT8";
  case kInt8: return "INT8";
  case kInt32: return "INT32";
  case kInt64: return "INT64";
  case kBool: return "BOOL";
  case kFloat16: return "FLOAT16";
  case kDouble: return "DOUBLE";
  case kBFloat16: return "BFLOAT16";
  case 8: return "STRING";
  default: return "unsupported type";
  }
}

int64_t OnnxTensor::numElements() const {
  int64_t n = 1;
  for (int64_t d : dims)
    n *= d;
  return n;
}

OnnxModel::~OnnxModel() = default;

const OnnxTensor *OnnxModel::initializer(StringRef name) const {
  auto it = initIndex.find(name);
  return it == initIndex.end() ? nullptr : &initializers[it->second];
}

static Error fail(const Twine &msg) {
  return createStringError(inconvertibleErrorCode(), msg.str());
}

struct OnnxLoader {
  OnnxModel &m;
  StringMap<size_t> externalFiles; // path -> index in m.files

  /// Fills `t` from a TensorProto, taking its bytes over. `what` names the
  /// tensor in errors ("initializer 'x'", "attribute 'value' of node 'n'").
  Error tensor(onnx::TensorProto &p, OnnxTensor &t, const std::string &what) {
    t.name = p.name();
    t.type = p.data_type();
    t.file = m.path;
    bool overflow = false;
    uint64_t numel = 1;
    for (int64_t d : p.dims()) {
      if (d < 0)
        return fail(formatv("{0}: {1} has a negative dimension {2}", m.path, what, d));
      t.dims.push_back(d);
      numel = SaturatingMultiply(numel, uint64_t(d), &overflow);
    }
    size_t esize = onnxTypeSize(t.type);
    if (!esize)
      return fail(formatv("{0}: {1} has data type {2} ({3}), which gemmac does not read",
                          m.path, what, onnxTypeName(t.type), t.type));
    uint64_t want = SaturatingMultiply(numel, uint64_t(esize), &overflow);
    if (overflow)
      return fail(formatv("{0}: {1} is larger than 2^64 bytes", m.path, what));

    if (p.data_location() == onnx::TensorProto::EXTERNAL)
      return external(p, t, what, want);

    auto own = std::make_unique<std::string>();
    if (p.has_raw_data()) {
      own.reset(p.release_raw_data());
    } else {
      // Typed fields: float_data (FLOAT), int64_data (INT64), double_data,
      // int32_data (INT32, BOOL, FLOAT16, BFLOAT16, INT8, UINT8: one value
      // per element, 16-bit types as their bit pattern).
      own->resize(want);
      char *dst = own->data();
      uint64_t have = 0;
      switch (t.type) {
      case kFloat:
        have = p.float_data_size();
        if (have == numel)
          std::memcpy(dst, p.float_data().data(), want);
        break;
      case kInt64:
        have = p.int64_data_size();
        if (have == numel)
          std::memcpy(dst, p.int64_data().data(), want);
        break;
      case kDouble:
        have = p.double_data_size();
        if (have == numel)
          std::memcpy(dst, p.double_data().data(), want);
        break;
      default:
        have = p.int32_data_size();
        if (have == numel)
          for (uint64_t i = 0; i < numel; ++i) {
            int32_t v = p.int32_data(int(i));
            std::memcpy(dst + i * esize, &v, esize); // little endian: low bytes
          }
        break;
      }
      if (have != numel)
        return fail(formatv("{0}: {1} has shape {2} ({3} elements) but holds {4} values",
                            m.path, what, shapeStr(t.dims), numel, have));
    }
    if (own->size() != want)
      return fail(formatv("{0}: {1} has shape {2} of {3} ({4} bytes) but its raw_data holds "
                          "{5} bytes",
                          m.path, what, shapeStr(t.dims), onnxTypeName(t.type), want,
                          own->size()));
    t.data = reinterpret_cast<const uint8_t *>(own->data());
    t.nbytes = want;
    m.owned.push_back(std::move(own));
    return Error::success();
  }

  Error external(onnx::TensorProto &p, OnnxTensor &t, const std::string &what, uint64_t want) {
    std::string location;
    int64_t offset = 0, length = -1;
    for (const auto &kv : p.external_data()) {
      if (kv.key() == "location")
        location = kv.value();
      else if (kv.key() == "offset" || kv.key() == "length") {
        int64_t v = 0;
        if (StringRef(kv.value()).getAsInteger(10, v) || v < 0)
          return fail(formatv("{0}: {1}: external data {2} '{3}' is not a non-negative integer",
                              m.path, what, kv.key(), kv.value()));
        (kv.key() == "offset" ? offset : length) = v;
      }
    }
    if (location.empty())
      return fail(formatv("{0}: {1} is stored externally but names no 'location'", m.path, what));
    // ONNX requires the location to be relative to the model's folder and to
    // stay inside it; refuse anything else rather than read arbitrary files.
    if (sys::path::is_absolute(location) || StringRef(location).contains(".."))
      return fail(formatv("{0}: {1}: external data location '{2}' must be a relative path "
                          "inside the model's folder",
                          m.path, what, location));
    SmallString<256> file(m.directory);
    sys::path::append(file, location);
    auto it = externalFiles.find(file);
    if (it == externalFiles.end()) {
      if (!sys::fs::exists(file))
        return fail(formatv("{0}: {1} is stored in external data file '{2}', which is missing",
                            m.path, what, file));
      auto buf = MemoryBuffer::getFile(file, /*IsText=*/false, /*RequiresNullTerminator=*/false);
      if (!buf)
        return fail(formatv("{0}: cannot read external data file '{1}': {2}", m.path, file,
                            buf.getError().message()));
      m.files.push_back(std::move(*buf));
      it = externalFiles.try_emplace(file, m.files.size() - 1).first;
    }
    const MemoryBuffer &buf = *m.files[it->second];
    uint64_t size = buf.getBufferSize();
    if (length >= 0 && uint64_t(length) != want)
      return fail(formatv("{0}: {1} has shape {2} of {3} ({4} bytes) but its external data "
                          "length is {5}",
                          m.path, what, shapeStr(t.dims), onnxTypeName(t.type), want, length));
    if (uint64_t(offset) > size || want > size - uint64_t(offset))
      return fail(formatv("{0}: {1}: bytes {2}..{3} lie past the end of '{4}' ({5} bytes); "
                          "the external data file is truncated",
                          m.path, what, offset, offset + want, file, size));
    t.data = reinterpret_cast<const uint8_t *>(buf.getBufferStart()) + offset;
    t.nbytes = want;
    t.file = std::string(file);
    return Error::success();
  }

  static std::string shapeStr(ArrayRef<int64_t> dims) {
    std::string s = "[";
    for (size_t i = 0; i < dims.size(); ++i)
      s += (i ? ", " : "") + std::to_string(dims[i]);
    return s + "]";
  }

  OnnxValueInfo valueInfo(const onnx::ValueInfoProto &v) {
    OnnxValueInfo info;
    info.name = v.name();
    if (v.type().has_tensor_type()) {
      const auto &tt = v.type().tensor_type();
      info.type = tt.elem_type();
      if (tt.has_shape()) {
        info.ranked = true;
        for (const auto &d : tt.shape().dim())
          info.dims.push_back(d.has_dim_value() ? d.dim_value() : -1);
      }
    }
    return info;
  }

  Error attribute(const onnx::AttributeProto &a, OnnxAttr &out, const OnnxNode &node) {
    switch (a.type()) {
    case onnx::AttributeProto::INT: out.kind = OnnxAttr::Int; out.i = a.i(); break;
    case onnx::AttributeProto::FLOAT: out.kind = OnnxAttr::Float; out.f = a.f(); break;
    case onnx::AttributeProto::STRING: out.kind = OnnxAttr::String; out.s = a.s(); break;
    case onnx::AttributeProto::INTS:
      out.kind = OnnxAttr::Ints;
      out.ints.assign(a.ints().begin(), a.ints().end());
      break;
    case onnx::AttributeProto::FLOATS:
      out.kind = OnnxAttr::Floats;
      out.floats.assign(a.floats().begin(), a.floats().end());
      break;
    case onnx::AttributeProto::STRINGS:
      out.kind = OnnxAttr::Strings;
      out.strings.assign(a.strings().begin(), a.strings().end());
      break;
    case onnx::AttributeProto::TENSOR: {
      out.kind = OnnxAttr::Tensor;
      onnx::TensorProto t = a.t();
      OnnxTensor ot;
      if (Error e = tensor(t, ot, formatv("attribute '{0}' of node '{1}'", a.name(), node.name)))
        return e;
      m.attrTensors.push_back(std::move(ot));
      out.tensor = int(m.attrTensors.size() - 1);
      break;
    }
    default:
      out.kind = OnnxAttr::Unsupported; // graphs, sparse tensors: refused by the importer
      break;
    }
    return Error::success();
  }

  Error constant(const onnx::NodeProto &n, const OnnxNode &node) {
    if (n.output_size() != 1 || n.attribute_size() != 1)
      return fail(formatv("{0}: Constant node '{1}' must have one output and one attribute",
                          m.path, node.name));
    const onnx::AttributeProto &a = n.attribute(0);
    onnx::TensorProto t;
    if (a.name() == "value" && a.type() == onnx::AttributeProto::TENSOR) {
      t = a.t();
    } else if (a.name() == "value_float") {
      t.set_data_type(kFloat);
      t.add_float_data(a.f());
    } else if (a.name() == "value_floats") {
      t.set_data_type(kFloat);
      t.add_dims(a.floats_size());
      for (float f : a.floats())
        t.add_float_data(f);
    } else if (a.name() == "value_int") {
      t.set_data_type(kInt64);
      t.add_int64_data(a.i());
    } else if (a.name() == "value_ints") {
      t.set_data_type(kInt64);
      t.add_dims(a.ints_size());
      for (int64_t i : a.ints())
        t.add_int64_data(i);
    } else {
      return fail(formatv("{0}: Constant node '{1}' has attribute '{2}', which gemmac does not "
                          "read (opset {3})",
                          m.path, node.name, a.name(), m.opset));
    }
    t.set_name(n.output(0));
    OnnxTensor ot;
    if (Error e = tensor(t, ot, "Constant node '" + node.name + "'"))
      return e;
    if (!m.initIndex.try_emplace(ot.name, m.initializers.size()).second)
      return fail(formatv("{0}: Constant node '{1}' redefines '{2}'", m.path, node.name, ot.name));
    m.initializers.push_back(std::move(ot));
    return Error::success();
  }

  Error run(const MemoryBuffer &file) {
    onnx::ModelProto proto;
    {
      google::protobuf::io::CodedInputStream in(
          reinterpret_cast<const uint8_t *>(file.getBufferStart()), int(file.getBufferSize()));
      in.SetTotalBytesLimit(INT_MAX);
      if (!proto.ParseFromCodedStream(&in) || !in.ConsumedEntireMessage())
        return fail(formatv("{0}: not a valid ONNX model (truncated or corrupt protobuf, "
                            "{1} bytes)",
                            m.path, file.getBufferSize()));
    }
    if (!proto.has_graph() || proto.graph().node_size() == 0)
      return fail(m.path + ": the ONNX model has no graph nodes (truncated file or not a "
                           "model?)");
    m.producer = proto.producer_name() + " " + proto.producer_version();
    for (const auto &p : proto.metadata_props())
      m.metadata[p.key()] = p.value();

    // Opsets: ai.onnx ("" or "ai.onnx") must be one whose semantics the
    // raising patterns assume; other domains are accepted here and refused
    // per node if a node actually uses one.
    std::map<std::string, int64_t> domains;
    for (const auto &o : proto.opset_import())
      domains[o.domain() == "ai.onnx" ? "" : o.domain()] = o.version();
    auto def = domains.find("");
    if (def == domains.end())
      return fail(m.path + ": the model imports no ai.onnx opset");
    m.opset = def->second;
    if (m.opset < kMinOpset || m.opset > kMaxOpset)
      return fail(formatv("{0}: ai.onnx opset {1} is not supported (gemmac reads opsets "
                          "{2}..{3}; re-export with e.g. torch.onnx.export(..., "
                          "opset_version=20))",
                          m.path, m.opset, kMinOpset, kMaxOpset));

    onnx::GraphProto &g = *proto.mutable_graph();
    for (auto &init : *g.mutable_initializer()) {
      OnnxTensor t;
      if (Error e = tensor(init, t, "initializer '" + init.name() + "'"))
        return e;
      if (!m.initIndex.try_emplace(t.name, m.initializers.size()).second)
        return fail(formatv("{0}: initializer '{1}' is defined twice", m.path, t.name));
      m.initializers.push_back(std::move(t));
    }
    if (g.sparse_initializer_size())
      return fail(m.path + ": sparse initializers are not supported");
    for (const auto &v : g.input())
      if (!m.initializer(v.name()))
        m.inputs.push_back(valueInfo(v));
    for (const auto &v : g.output())
      m.outputs.push_back(valueInfo(v));
    for (const auto &v : g.value_info())
      m.valueInfo[v.name()] = valueInfo(v);
    for (const auto &v : m.inputs)
      m.valueInfo[v.name] = v;
    for (const auto &v : m.outputs)
      m.valueInfo[v.name] = v;

    size_t index = 0;
    for (const auto &n : g.node()) {
      OnnxNode node;
      node.opType = n.op_type();
      node.domain = n.domain() == "ai.onnx" ? "" : n.domain();
      node.name = n.name().empty() ? formatv("{0}_{1}", n.op_type(), index).str() : n.name();
      ++index;
      if (!domains.count(node.domain))
        return fail(formatv("{0}: node '{1}' (op {2}) uses domain '{3}', which the model does "
                            "not import",
                            m.path, node.name, node.opType, node.domain));
      // A Constant node is an initializer in all but name: the importer and
      // the weight binding then see one kind of constant.
      if (node.opType == "Constant" && node.domain.empty()) {
        if (Error e = constant(n, node))
          return e;
        continue;
      }
      node.inputs.assign(n.input().begin(), n.input().end());
      node.outputs.assign(n.output().begin(), n.output().end());
      for (const auto &a : n.attribute()) {
        OnnxAttr attr;
        if (Error e = attribute(a, attr, node))
          return e;
        node.attrs.emplace_back(a.name(), std::move(attr));
      }
      m.nodes.push_back(std::move(node));
    }
    return Error::success();
  }
};

Expected<std::unique_ptr<OnnxModel>> OnnxModel::load(StringRef path) {
  if (!sys::fs::exists(path))
    return fail("ONNX model '" + path + "' does not exist");
  if (sys::fs::is_directory(path))
    return fail("'" + path + "' is a directory, not an ONNX model file");
  auto buf = MemoryBuffer::getFile(path, /*IsText=*/false, /*RequiresNullTerminator=*/false);
  if (!buf)
    return fail(path + ": cannot read: " + buf.getError().message());
  if ((*buf)->getBufferSize() > uint64_t(INT_MAX))
    return fail(path + ": larger than 2 GiB; protobuf cannot hold it, store the weights as "
                       "ONNX external data");
  std::unique_ptr<OnnxModel> m(new OnnxModel());
  m->path = path.str();
  SmallString<256> dir(path);
  sys::path::remove_filename(dir);
  m->directory = dir.empty() ? "." : std::string(dir);
  OnnxLoader loader{*m, {}};
  if (Error e = loader.run(**buf))
    return std::move(e);
  return std::move(m);
}

} // namespace gemma::onnxfe
