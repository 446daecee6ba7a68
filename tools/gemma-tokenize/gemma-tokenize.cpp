//===- gemma-tokenize.cpp - encode / decode with a tokenizer.json ---------===//
//
// A thin command line over runtime/tokenizer.h, so the tokenizer can be
// tested against Hugging Face's ids from lit and benchmarked on large inputs
// without building a model. Errors are one "gemma-tokenize: error: ..." line.
//
//===----------------------------------------------------------------------===//
#include "runtime/tokenizer.h"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

using namespace gemma_rt;

namespace {

const char *kHelp =
    R"(usage: gemma-tokenize --tokenizer FILE [options] [TEXT | -]
       gemma-tokenize --tokenizer FILE --decode IDS [options]

Encodes TEXT with a Hugging Face tokenizer.json (the runtime's own C++
tokenizer, as used by gemma-run) and prints the ids comma-separated. TEXT
may be given as an argument, as '-' to read standard input, or with
--file PATH. With --decode, prints the text of comma-separated ids instead.

options:
  --tokenizer FILE   tokenizer.json to load (required)
  --add-special      also add what the file's post_processor adds (<bos>)
  --file PATH        read the text to encode from PATH (any size)
  --tokens           print the token strings (one JSON string per line)
                     instead of ids
  --count            print only the number of ids
  --stats            print load and encode times and tokens/s on stderr
  --decode IDS       decode IDS, e.g. 2,818,3823 ('-': read them from stdin)
  --skip-special     with --decode: leave out special tokens
  --stream           with --decode: feed the ids one by one to the streaming
                     decoder and print each returned chunk as a JSON string
                     on its own line; the last line is what finish() returns
  --jsonl            batch mode (tests, comparisons): every line of the input
                     (TEXT, '-' or --file) is a JSON string to encode, printed
                     as a JSON array of ids, or a JSON array of ids to decode,
                     printed as a JSON string; a failing line prints
                     {"error": "..."}. Honours --add-special, --skip-special
  -h, --help         print this help
  --                 end of options (for TEXT starting with '-')

Input text must be valid UTF-8; invalid bytes are an error naming the
offset. Output text is followed by one newline.
)";

int fail(const std::string &msg) {
  std::fprintf(stderr, "gemma-tokenize: error: %s\n", msg.c_str());
  return 1;
}

bool readAll(FILE *f, std::string &out) {
  char buf[1 << 16];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0)
    out.append(buf, n);
  return !std::ferror(f);
}

std::string jsonString(const std::string &s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += char(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c < 0x20 || c == 0x7F) {
      out += format("\\u%04x", c);
    } else {
      out += char(c);
    }
  }
  return out + "\"";
}

Status parseIds(const std::string &text, std::vector<int32_t> &ids) {
  size_t i = 0;
  auto skipSpace = [&] {
    while (i < text.size() && std::strchr(" \t\r\n", text[i]) && text[i])
      ++i;
  };
  skipSpace();
  while (i < text.size()) {
    size_t start = i;
    while (i < text.size() && text[i] != ',' &&
           !std::strchr(" \t\r\n", text[i]))
      ++i;
    std::string word = text.substr(start, i - start);
    char *end = nullptr;
    errno = 0;
    long long v = std::strtoll(word.c_str(), &end, 10);
    if (word.empty() || *end || errno || v < INT32_MIN || v > INT32_MAX)
      return Status::error("--decode: \"" + word + "\" is not an integer id");
    ids.push_back(int32_t(v));
    skipSpace();
    if (i < text.size() && text[i] == ',') {
      ++i;
      skipSpace();
      if (i == text.size())
        return Status::error("--decode: trailing ','");
    }
  }
  return Status::ok();
}

// One --jsonl line -> one output line.
std::string jsonlLine(const Tokenizer &tok, const std::string &line,
                      bool addSpecial, bool skipSpecial) {
  using json = nlohmann::json;
  auto error = [](const std::string &msg) {
    return json{{"error", msg}}.dump(-1, ' ', false,
                                     json::error_handler_t::replace);
  };
  json in = json::parse(line, nullptr, /*allow_exceptions=*/false);
  Status st;
  if (in.is_string()) {
    std::vector<int32_t> ids;
    if (!(st = tok.encode(in.get<std::string>(), addSpecial, ids)).isOk())
      return error(st.message());
    return json(ids).dump();
  }
  if (in.is_array()) {
    std::vector<int32_t> ids;
    for (const json &v : in) {
      if (!v.is_number_integer() || v.get<int64_t>() < INT32_MIN ||
          v.get<int64_t>() > INT32_MAX)
        return error("expected an array of integer ids");
      ids.push_back(int32_t(v.get<int64_t>()));
    }
    std::string text;
    if (!(st = tok.decode(ids.data(), ids.size(), skipSpecial, text)).isOk())
      return error(st.message());
    return json(text).dump(-1, ' ', false, json::error_handler_t::replace);
  }
  return error("expected a JSON string (encode) or array of ids (decode)");
}

double msSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(
             std::chrono::steady_clock::now() - t0)
      .count();
}

} // namespace

int main(int argc, char **argv) {
  std::string tokPath, filePath, decodeArg, text;
  bool addSpecial = false, tokens = false, countOnly = false, stats = false,
       decode = false, skipSpecial = false, stream = false, haveText = false,
       jsonl = false;
  bool options = true;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](std::string &out) {
      if (i + 1 >= argc)
        return false;
      out = argv[++i];
      return true;
    };
    if (options && (a == "-h" || a == "--help")) {
      std::fputs(kHelp, stdout);
      return 0;
    } else if (options && a == "--") {
      options = false;
    } else if (options && a == "--tokenizer") {
      if (!value(tokPath))
        return fail("--tokenizer needs a FILE");
    } else if (options && a == "--file") {
      if (!value(filePath))
        return fail("--file needs a PATH");
    } else if (options && a == "--decode") {
      if (!value(decodeArg))
        return fail("--decode needs IDS (e.g. 2,818,3823, or '-')");
      decode = true;
    } else if (options && a == "--add-special") {
      addSpecial = true;
    } else if (options && a == "--tokens") {
      tokens = true;
    } else if (options && a == "--count") {
      countOnly = true;
    } else if (options && a == "--stats") {
      stats = true;
    } else if (options && a == "--skip-special") {
      skipSpecial = true;
    } else if (options && a == "--stream") {
      stream = true;
    } else if (options && a == "--jsonl") {
      jsonl = true;
    } else if (options && a.size() > 1 && a[0] == '-') {
      return fail("unknown option '" + a + "' (see --help)");
    } else {
      if (haveText)
        return fail("more than one TEXT argument (quote the text)");
      haveText = true;
      text = a;
    }
  }
  if (tokPath.empty())
    return fail("missing --tokenizer FILE (see --help)");
  if (decode && (haveText || !filePath.empty()))
    return fail("--decode takes its ids as its argument, not TEXT or --file");
  if (!decode && stream)
    return fail("--stream only applies to --decode");
  if (!decode && !jsonl && skipSpecial)
    return fail("--skip-special only applies to --decode and --jsonl");
  if (decode && jsonl)
    return fail("--jsonl reads its ids from the input; drop --decode");
  if (haveText && !filePath.empty())
    return fail("give either TEXT or --file, not both");

  auto t0 = std::chrono::steady_clock::now();
  std::unique_ptr<Tokenizer> tok;
  Status st = Tokenizer::load(tokPath, tok);
  if (!st.isOk())
    return fail(st.message());
  double loadMs = msSince(t0);

  if (decode) {
    std::string idText = decodeArg;
    if (decodeArg == "-") {
      idText.clear();
      if (!readAll(stdin, idText))
        return fail("cannot read standard input");
    }
    std::vector<int32_t> ids;
    if (!(st = parseIds(idText, ids)).isOk())
      return fail(st.message());
    if (stream) {
      StreamDecoder sd(*tok, skipSpecial);
      std::string out;
      for (int32_t id : ids)
        out += jsonString(sd.push(id)) + "\n";
      out += jsonString(sd.finish()) + "\n";
      std::fputs(out.c_str(), stdout);
      return 0;
    }
    std::string out;
    if (!(st = tok->decode(ids.data(), ids.size(), skipSpecial, out)).isOk())
      return fail(st.message());
    out += '\n';
    std::fwrite(out.data(), 1, out.size(), stdout);
    return 0;
  }

  if (!filePath.empty() || (haveText && text == "-")) {
    FILE *f = filePath.empty() ? stdin : std::fopen(filePath.c_str(), "rb");
    if (!f)
      return fail(filePath + ": cannot open: " + osError(errno));
    text.clear();
    bool ok = readAll(f, text);
    if (f != stdin)
      std::fclose(f);
    if (!ok)
      return fail((filePath.empty() ? "standard input" : filePath) +
                  ": cannot read");
  } else if (!haveText) {
    return fail("no input (give TEXT, '-' for stdin, or --file PATH)");
  }

  if (jsonl) {
    std::string out;
    for (size_t pos = 0; pos < text.size();) {
      size_t nl = text.find('\n', pos);
      if (nl == std::string::npos)
        nl = text.size();
      std::string line = text.substr(pos, nl - pos);
      pos = nl + 1;
      if (line.find_first_not_of(" \t\r") == std::string::npos)
        continue;
      out += jsonlLine(*tok, line, addSpecial, skipSpecial) + "\n";
    }
    std::fwrite(out.data(), 1, out.size(), stdout);
    return 0;
  }

  auto t1 = std::chrono::steady_clock::now();
  std::vector<int32_t> ids;
  if (!(st = tok->encode(text, addSpecial, ids)).isOk())
    return fail(st.message());
  double encodeMs = msSince(t1);

  std::string out;
  if (countOnly) {
    out = std::to_string(ids.size()) + "\n";
  } else if (tokens) {
    for (int32_t id : ids)
      out += jsonString(tok->tokenString(id)) + "\n";
  } else {
    for (size_t i = 0; i < ids.size(); ++i)
      out += (i ? "," : "") + std::to_string(ids[i]);
    out += "\n";
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  if (stats)
    std::fprintf(stderr,
                 "gemma-tokenize: loaded %s in %.1f ms; encoded %zu bytes "
                 "into %zu tokens in %.2f ms (%.0f tokens/s)\n",
                 tokPath.c_str(), loadMs, text.size(), ids.size(), encodeMs,
                 encodeMs > 0 ? ids.size() / (encodeMs / 1000.0) : 0.0);
  return 0;
}
