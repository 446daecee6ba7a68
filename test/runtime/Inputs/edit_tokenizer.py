#!/usr/bin/env python3
"""edit_tokenizer.py IN OUT EDIT...: writes a modified copy of tokenizer.json.

EDIT is one of
  rename:OLD:NEW   rename an added token (e.g. <|turn> -> <start_of_turn>,
                   making a Gemma 3 style file)
  drop:TOKEN       remove an added token (and its vocab entry)
  model-type:TYPE  set model.type (e.g. WordPiece, unsupported)
"""
import json
import sys


def main():
    src, dst, edits = sys.argv[1], sys.argv[2], sys.argv[3:]
    with open(src, encoding="utf-8") as f:
        tok = json.load(f)
    vocab = tok["model"]["vocab"]
    for edit in edits:
        kind, _, arg = edit.partition(":")
        if kind == "rename":
            old, new = arg.split(":", 1)
            for a in tok["added_tokens"]:
                if a["content"] == old:
                    a["content"] = new
            vocab[new] = vocab.pop(old)
        elif kind == "drop":
            tok["added_tokens"] = [a for a in tok["added_tokens"] if a["content"] != arg]
            vocab.pop(arg, None)
        elif kind == "model-type":
            tok["model"]["type"] = arg
        else:
            sys.exit("unknown edit " + edit)
    with open(dst, "w", encoding="utf-8") as f:
        json.dump(tok, f, ensure_ascii=False)


if __name__ == "__main__":
    main()
