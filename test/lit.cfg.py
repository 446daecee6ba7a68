# -*- Python -*-
import os
import subprocess

import lit.formats
from lit.llvm import llvm_config

config.name = "gemmac"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.excludes = ["data", "Inputs", "stub"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.gemma_obj_root, "test")

llvm_config.use_default_substitutions()
tools_bin = os.path.join(config.gemma_obj_root, "bin")
llvm_config.with_environment("PATH", tools_bin, append_path=True)
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)

config.substitutions.append(("%data", os.path.join(config.test_source_root, "data")))
config.substitutions.append(("%python", "python3"))

# Slow end-to-end tests (real-geometry checkpoints of several GB) can be
# skipped on a laptop with GEMMA_SKIP_SLOW=1; CI runs them.
if os.environ.get("GEMMA_SKIP_SLOW") != "1":
    config.available_features.add("slow")


def cpu_flags():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


flags = cpu_flags()
if {"avx2", "fma"} <= flags:
    config.available_features.add("avx2")
if {"avx512f", "avx512bw", "avx512vl", "avx512dq"} <= flags:
    config.available_features.add("avx512")
    if "avx512_vnni" in flags:
        config.available_features.add("avx512vnni")
    if "avx512_bf16" in flags:
        config.available_features.add("avx512bf16")
        # /proc/cpuinfo lists AMX only where the kernel supports its state.
        if {"amx_tile", "amx_bf16"} <= flags:
            config.available_features.add("amxbf16")
