//===- GemmaOps.td - all gemma ops ---------------------------*- tablegen -*-===//
#ifndef GEMMA_OPS
#define GEMMA_OPS
include "dialects/GemmaBufferOps.td"
include "dialects/GemmaLayerOps.td"
include "dialects/GemmaAttentionOps.td"
include "dialects/GemmaMoEOps.td"
#endif
