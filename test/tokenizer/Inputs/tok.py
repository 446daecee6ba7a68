"""Shared helper: runs gemma-tokenize --jsonl over many inputs at once."""
import json
import subprocess


def jsonl(tokenizer, items, *flags):
    """Encodes strings / decodes id lists; returns one parsed result each."""
    data = "".join(json.dumps(x) + "\n" for x in items).encode()
    r = subprocess.run(["gemma-tokenize", "--tokenizer", tokenizer, "--jsonl",
                        *flags, "-"], input=data, capture_output=True)
    if r.returncode != 0:
        raise SystemExit("gemma-tokenize failed: " + r.stderr.decode())
    # Split on "\n" only: U+2028 and friends are line breaks to splitlines().
    lines = r.stdout.decode().split("\n")[:-1]
    if len(lines) != len(items):
        raise SystemExit("expected %d output lines, got %d"
                         % (len(items), len(lines)))
    return [json.loads(l) for l in lines]
