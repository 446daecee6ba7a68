#!/usr/bin/env python3
"""Edits an ONNX model at the protobuf wire level (stdlib only; tests have no
onnx package). Makes the variants the ONNX frontend tests need:

  onnx_edit.py external SRC DIR            DIR/model.onnx + DIR/model.onnx.data
                                           (every initializer > 1 KiB external)
  onnx_edit.py opset SRC DST VERSION       the ai.onnx opset_import set to VERSION
  onnx_edit.py dims SRC DST NAME D1,D2..   initializer NAME relabelled to that shape
  onnx_edit.py optype SRC DST NODE TYPE    node NODE's op_type replaced by TYPE
"""
import os
import sys

# ModelProto.graph = 7, ModelProto.opset_import = 8 (OperatorSetIdProto:
# domain = 1, version = 2), GraphProto.initializer = 5, TensorProto: dims = 1,
# name = 8, raw_data = 9, external_data = 13 (key = 1, value = 2),
# data_location = 14 (EXTERNAL = 1).


def varint(buf, i):
    shift = value = 0
    while True:
        b = buf[i]
        i += 1
        value |= (b & 0x7F) << shift
        shift += 7
        if b < 0x80:
            return value, i


def enc_varint(v):
    if v < 0:
        v += 1 << 64
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def parse(buf):
    """[(field, wiretype, payload)]: payload is int (varint) or bytes."""
    fields, i = [], 0
    while i < len(buf):
        key, i = varint(buf, i)
        field, wt = key >> 3, key & 7
        if wt == 0:
            v, i = varint(buf, i)
        elif wt == 1:
            v, i = buf[i:i + 8], i + 8
        elif wt == 2:
            n, i = varint(buf, i)
            v, i = buf[i:i + n], i + n
        elif wt == 5:
            v, i = buf[i:i + 4], i + 4
        else:
            raise SystemExit("unsupported wire type %d" % wt)
        fields.append((field, wt, v))
    return fields


def encode(fields):
    out = bytearray()
    for field, wt, v in fields:
        out += enc_varint(field << 3 | wt)
        if wt == 0:
            out += enc_varint(v)
        elif wt == 2:
            out += enc_varint(len(v)) + v
        else:
            out += v
    return bytes(out)


def string_field(fields, number):
    for f, wt, v in fields:
        if f == number and wt == 2:
            return v.decode()
    return None


def edit_initializers(model, fn):
    """Applies fn(tensor_fields) -> tensor_fields to every initializer."""
    out = []
    for f, wt, v in parse(model):
        if f == 7 and wt == 2:
            graph = []
            for gf, gwt, gv in parse(v):
                if gf == 5 and gwt == 2:
                    gv = encode(fn(parse(gv)))
                graph.append((gf, gwt, gv))
            v = encode(graph)
        out.append((f, wt, v))
    return encode(out)


def main():
    cmd, src = sys.argv[1], sys.argv[2]
    model = open(src, "rb").read()
    if cmd == "external":
        os.makedirs(sys.argv[3], exist_ok=True)
        data = bytearray()

        def externalize(t):
            raw = [v for f, wt, v in t if f == 9]
            if not raw or len(raw[0]) <= 1024:
                return t
            offset = (len(data) + 63) // 64 * 64
            data.extend(b"\0" * (offset - len(data)))
            data.extend(raw[0])
            t = [(f, wt, v) for f, wt, v in t if f != 9]
            for key, value in (("location", "model.onnx.data"), ("offset", str(offset)),
                               ("length", str(len(raw[0])))):
                entry = encode([(1, 2, key.encode()), (2, 2, value.encode())])
                t.append((13, 2, entry))
            t.append((14, 0, 1))
            return t

        out = edit_initializers(model, externalize)
        open(os.path.join(sys.argv[3], "model.onnx"), "wb").write(out)
        open(os.path.join(sys.argv[3], "model.onnx.data"), "wb").write(bytes(data))
    elif cmd == "opset":
        version = int(sys.argv[4])
        out = []
        for f, wt, v in parse(model):
            if f == 8 and wt == 2:
                op = parse(v)
                if string_field(op, 1) in (None, "", "ai.onnx"):
                    op = [(of, owt, version if of == 2 else ov) for of, owt, ov in op]
                v = encode(op)
            out.append((f, wt, v))
        open(sys.argv[3], "wb").write(encode(out))
    elif cmd == "dims":
        name, dims = sys.argv[4], [int(d) for d in sys.argv[5].split(",")]
        found = []

        def relabel(t):
            if string_field(t, 8) != name:
                return t
            found.append(name)
            rest = [(f, wt, v) for f, wt, v in t if f != 1]
            return [(1, 0, d) for d in dims] + rest

        out = edit_initializers(model, relabel)
        if not found:
            raise SystemExit("no initializer named " + name)
        open(sys.argv[3], "wb").write(out)
    elif cmd == "optype":
        node, new_type = sys.argv[4], sys.argv[5].encode()
        out, found = [], []
        for f, wt, v in parse(model):
            if f == 7 and wt == 2:  # GraphProto.node = 1; NodeProto name = 3, op_type = 4
                graph = []
                for gf, gwt, gv in parse(v):
                    if gf == 1 and gwt == 2 and string_field(parse(gv), 3) == node:
                        found.append(node)
                        gv = encode([(nf, nwt, new_type if nf == 4 else nv)
                                     for nf, nwt, nv in parse(gv)])
                    graph.append((gf, gwt, gv))
                v = encode(graph)
            out.append((f, wt, v))
        if not found:
            raise SystemExit("no node named " + node)
        open(sys.argv[3], "wb").write(encode(out))
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
