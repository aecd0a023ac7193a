//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_ASYNC_LOCAL_HTTP_TRACE_CONTEXT_HPP
#define BOOST_ASYNC_LOCAL_HTTP_TRACE_CONTEXT_HPP

// W3C Trace Context (traceparent, tracestate) and W3C Baggage: strict
// parsers and formatters. No Asio or Beast dependency.
//
// Every parser takes untrusted input. It never throws on malformed input and
// never reads past the view; it returns an empty optional, and the caller
// starts a fresh trace. Nothing it returns holds a byte the grammar does not
// allow, so parsed values can go into logs as they are.

#include <array>
#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace boost {
namespace async_local {
namespace http {

namespace detail {

constexpr bool is_lower_hex(char c) noexcept
{
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

constexpr bool is_lcalpha(char c) noexcept { return c >= 'a' && c <= 'z'; }
constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

inline bool all_lower_hex(std::string_view s) noexcept
{
  for (char c : s)
    if (!is_lower_hex(c))
      return false;
  return true;
}

inline bool all_zeros(std::string_view s) noexcept
{
  return s.find_first_not_of('0') == std::string_view::npos;
}

inline std::string_view trim_ows(std::string_view s) noexcept
{
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

// Splits on commas; calls f(member) for each, trimmed. Stops when f says so.
template <class F>
bool for_each_list_member(std::string_view s, F&& f)
{
  for (;;)
  {
    std::size_t const comma = s.find(',');
    if (!f(trim_ows(s.substr(0, comma))))
      return false;
    if (comma == std::string_view::npos)
      return true;
    s.remove_prefix(comma + 1);
  }
}

// Trace and span IDs must not repeat across threads and processes: each
// thread's engine is seeded with 256 bits from the system.
inline std::uint64_t random_u64()
{
  thread_local std::mt19937_64 engine = [] {
    std::random_device device;
    std::seed_seq seed{device(), device(), device(), device(),
        device(), device(), device(), device()};
    return std::mt19937_64(seed);
  }();
  return engine();
}

template <std::size_t N>
void random_hex(std::array<char, N>& out)
{
  static constexpr char digits[] = "0123456789abcdef";
  do
  {
    for (std::size_t i = 0; i < N; i += 16)
    {
      std::uint64_t r = random_u64();
      for (std::size_t j = i; j < N && j < i + 16; ++j, r >>= 4)
        out[j] = digits[r & 0xf];
    }
  } while (all_zeros(std::string_view(out.data(), N)));
}

} // namespace detail

/// A string of at most `N` characters held in place, never on the heap.
/**
 * What the identity helpers hand out (`traceparent::to_chars`, a request's
 * ID), so that taking, binding, reading and sending a request's identity
 * allocates nothing. It reads as a `std::string_view` (implicitly, or with
 * `view()`), compares (`==`, `!=`, `<`) with another `fixed_string` of any
 * size and with anything that converts to a `std::string_view`, hashes as
 * its view does (`std::hash`), and writes to an ostream. A `std::string` is
 * made from it explicitly: `str()`, or `std::string(s)`. Copying it copies
 * its bytes: it is `N + 1` bytes large.
 *
 * @par Exceptions
 * Constructing or assigning more than `N` characters throws
 * `std::length_error`; nothing else throws.
 */
template <std::size_t N>
class fixed_string
{
  static_assert(N > 0 && N < 256, "the size is kept in one byte");

public:
  /// The empty string.
  constexpr fixed_string() noexcept = default;

  /// A copy of `s`. @throws std::length_error if `s` is longer than `N`.
  explicit fixed_string(std::string_view s) { assign(s); }

  /// Replaces the contents with `s`.
  /// @throws std::length_error if `s` is longer than `N` (nothing changes).
  fixed_string& assign(std::string_view s)
  {
    if (s.size() > N)
      throw std::length_error("boost::async_local::http::fixed_string");
    // (s may be a part of this string: move, not copy.)
    std::char_traits<char>::move(data_, s.data(), s.size());
    size_ = static_cast<unsigned char>(s.size());
    return *this;
  }

  static constexpr std::size_t capacity() noexcept { return N; }
  constexpr std::size_t size() const noexcept { return size_; }
  constexpr bool empty() const noexcept { return size_ == 0; }
  constexpr char const* data() const noexcept { return data_; }
  constexpr char const* begin() const noexcept { return data_; }
  constexpr char const* end() const noexcept { return data_ + size_; }

  constexpr std::string_view view() const noexcept
  {
    return std::string_view(data_, size_);
  }

  constexpr operator std::string_view() const noexcept { return view(); }

  /// A `std::string` copy (this one allocates when longer than the
  /// library's small-string buffer).
  std::string str() const { return std::string(data_, size_); }

  // (Two fixed_strings, of any sizes, compare through the templates after
  // the class.)
  friend bool operator==(fixed_string const& a, std::string_view b) noexcept
  {
    return a.view() == b;
  }
  friend bool operator==(std::string_view a, fixed_string const& b) noexcept
  {
    return a == b.view();
  }
  friend bool operator!=(fixed_string const& a, std::string_view b) noexcept
  {
    return !(a == b);
  }
  friend bool operator!=(std::string_view a, fixed_string const& b) noexcept
  {
    return !(a == b);
  }
  friend bool operator<(fixed_string const& a, std::string_view b) noexcept
  {
    return a.view() < b;
  }
  friend bool operator<(std::string_view a, fixed_string const& b) noexcept
  {
    return a < b.view();
  }

  template <class Char, class Traits>
  friend std::basic_ostream<Char, Traits>& operator<<(
      std::basic_ostream<Char, Traits>& os, fixed_string const& s)
  {
    return os << s.view();
  }

private:
  char data_[N] = {};
  unsigned char size_ = 0;
};

template <std::size_t N, std::size_t M>
bool operator==(fixed_string<N> const& a, fixed_string<M> const& b) noexcept
{
  return a.view() == b.view();
}

template <std::size_t N, std::size_t M>
bool operator!=(fixed_string<N> const& a, fixed_string<M> const& b) noexcept
{
  return !(a == b);
}

template <std::size_t N, std::size_t M>
bool operator<(fixed_string<N> const& a, fixed_string<M> const& b) noexcept
{
  return a.view() < b.view();
}

/// Which W3C Trace Context level the parsers and formatters follow.
/**
 * - `level1` (the default): W3C Trace Context (Level 1). Only the `sampled`
 *   trace flag is kept; tracestate keys are `simple-key` or
 *   `tenant@system`.
 * - `level2`: Trace Context Level 2 as well: the `random` trace flag (the
 *   trace ID's right-most 7 bytes are random) is kept on propagation and set
 *   on new trace IDs; tracestate keys follow Level 2's grammar (a lowercase
 *   letter or digit, then up to 255 of `a-z 0-9 _ - * / @`).
 */
enum class trace_context_level
{
  level1 = 1,
  level2 = 2
};

/// The `traceparent` header: which trace a request belongs to, and its parent.
/**
 * Parsing follows W3C Trace Context Level 1, section 3.2: lowercase hex
 * only, exact field lengths, all-zero trace and parent IDs rejected, version
 * `ff` rejected, version `00` exactly 55 characters. A higher version is
 * parsed by the version 00 rules on its first 55 characters, which must be
 * followed by the end of the header or a `-`; `to_string` always writes
 * version 00, as the spec requires of a version 00 implementation.
 */
struct traceparent
{
  std::array<char, 32> trace_id{};
  std::array<char, 16> parent_id{};
  std::uint8_t flags = 0;

  static constexpr std::size_t size = 55;
  static constexpr std::uint8_t sampled_flag = 0x01;
  static constexpr std::uint8_t random_flag = 0x02;  // Level 2

  /// The flags `level` defines; the others are reserved, and are neither
  /// kept nor written.
  static constexpr std::uint8_t known_flags(trace_context_level level) noexcept
  {
    return level == trace_context_level::level2
      ? std::uint8_t(sampled_flag | random_flag) : sampled_flag;
  }

  /// True when both IDs are lowercase hex and not all zeros: what `parse`
  /// and `generate` make. A default-constructed traceparent is not valid.
  bool valid() const noexcept
  {
    return detail::all_lower_hex(trace_id_view())
      && !detail::all_zeros(trace_id_view())
      && detail::all_lower_hex(parent_id_view())
      && !detail::all_zeros(parent_id_view());
  }

  std::string_view trace_id_view() const noexcept
  {
    return std::string_view(trace_id.data(), trace_id.size());
  }

  std::string_view parent_id_view() const noexcept
  {
    return std::string_view(parent_id.data(), parent_id.size());
  }

  bool sampled() const noexcept { return flags & sampled_flag; }
  bool random() const noexcept { return flags & random_flag; }

  /// Parses a header value; empty when it is malformed.
  static std::optional<traceparent> parse(std::string_view s,
      trace_context_level level = trace_context_level::level1) noexcept
  {
    if (s.size() < size || s[2] != '-' || s[35] != '-' || s[52] != '-')
      return std::nullopt;
    std::string_view const version = s.substr(0, 2);
    if (!detail::all_lower_hex(version) || version == "ff")
      return std::nullopt;
    if (version == "00" ? s.size() != size
                        : (s.size() > size && s[size] != '-'))
      return std::nullopt;
    std::string_view const trace = s.substr(3, 32);
    std::string_view const parent = s.substr(36, 16);
    std::string_view const fl = s.substr(53, 2);
    if (!detail::all_lower_hex(trace) || detail::all_zeros(trace)
        || !detail::all_lower_hex(parent) || detail::all_zeros(parent)
        || !detail::all_lower_hex(fl))
      return std::nullopt;
    traceparent t;
    trace.copy(t.trace_id.data(), 32);
    parent.copy(t.parent_id.data(), 16);
    auto nibble = [](char c) {
      return static_cast<std::uint8_t>(c <= '9' ? c - '0' : c - 'a' + 10);
    };
    // Reserved bits are not passed on (a higher version's bits may mean
    // something else).
    t.flags = static_cast<std::uint8_t>(
        (nibble(fl[0]) << 4 | nibble(fl[1])) & known_flags(level));
    return t;
  }

  /// A new trace: random trace and parent IDs, sampled (and, at Level 2,
  /// flagged random: every byte of the trace ID is).
  static traceparent generate(
      trace_context_level level = trace_context_level::level1)
  {
    traceparent t;
    detail::random_hex(t.trace_id);
    detail::random_hex(t.parent_id);
    t.flags = level == trace_context_level::level2
      ? std::uint8_t(sampled_flag | random_flag) : sampled_flag;
    return t;
  }

  /// The same trace with a new, random parent ID: what an outgoing call sends.
  traceparent child() const
  {
    traceparent t = *this;
    detail::random_hex(t.parent_id);
    return t;
  }

  /// The version 00 header value, with the flags `level` defines; empty
  /// when the IDs are not `valid()` (so what it writes always parses).
  /// Allocates nothing: see `to_string` for a `std::string`.
  fixed_string<size> to_chars(
      trace_context_level level = trace_context_level::level1) const noexcept
  {
    static constexpr char digits[] = "0123456789abcdef";
    if (!valid())
      return {};
    std::uint8_t const f = flags & known_flags(level);
    char s[size];
    s[0] = '0';
    s[1] = '0';
    s[2] = '-';
    trace_id_view().copy(s + 3, 32);
    s[35] = '-';
    parent_id_view().copy(s + 36, 16);
    s[52] = '-';
    s[53] = digits[f >> 4];
    s[54] = digits[f & 0xf];
    fixed_string<size> out;
    out.assign(std::string_view(s, size));  // fits: cannot throw
    return out;
  }

  /// `to_chars(level)` as a `std::string`.
  std::string to_string(
      trace_context_level level = trace_context_level::level1) const
  {
    return to_chars(level).str();
  }

  friend bool operator==(traceparent const& a, traceparent const& b) noexcept
  {
    return a.trace_id == b.trace_id && a.parent_id == b.parent_id
      && a.flags == b.flags;
  }

  friend bool operator!=(traceparent const& a, traceparent const& b) noexcept
  {
    return !(a == b);
  }
};

/// The `tracestate` header: vendor-specific key/value pairs.
/**
 * Parsing follows W3C Trace Context Level 1, section 3.3: at most 32 list
 * members, keys as `simple-key` or `tenant@system` (at Level 2, Level 2's
 * key grammar), values of 1 to 256 printable characters without `,` or `=`
 * that do not end in a space, no duplicate keys; empty list members and
 * optional white space are allowed. Any violation makes the whole header
 * invalid.
 */
struct tracestate
{
  static constexpr std::size_t max_members = 32;

  std::vector<std::pair<std::string, std::string>> members;

  static bool valid_key(std::string_view k,
      trace_context_level level = trace_context_level::level1) noexcept
  {
    auto key_char = [](char c) {
      return detail::is_lcalpha(c) || detail::is_digit(c) || c == '_'
        || c == '-' || c == '*' || c == '/';
    };
    if (level == trace_context_level::level2)
    {
      if (k.empty() || k.size() > 256
          || !(detail::is_lcalpha(k[0]) || detail::is_digit(k[0])))
        return false;
      for (char c : k)
        if (!key_char(c) && c != '@')
          return false;
      return true;
    }
    auto all_key_chars = [&](std::string_view s) {
      for (char c : s)
        if (!key_char(c))
          return false;
      return true;
    };
    std::size_t const at = k.find('@');
    if (at == std::string_view::npos)
      return !k.empty() && k.size() <= 256 && detail::is_lcalpha(k[0])
        && all_key_chars(k.substr(1));
    std::string_view const tenant = k.substr(0, at);
    std::string_view const system = k.substr(at + 1);
    return !tenant.empty() && tenant.size() <= 241
      && (detail::is_lcalpha(tenant[0]) || detail::is_digit(tenant[0]))
      && all_key_chars(tenant.substr(1))
      && !system.empty() && system.size() <= 14
      && detail::is_lcalpha(system[0]) && all_key_chars(system.substr(1));
  }

  static bool valid_value(std::string_view v) noexcept
  {
    if (v.empty() || v.size() > 256 || v.back() == ' ')
      return false;
    for (char c : v)
      if (c < 0x20 || c > 0x7e || c == ',' || c == '=')
        return false;
    return true;
  }

  /// Parses a header value; empty when it is malformed.
  static std::optional<tracestate> parse(std::string_view s,
      trace_context_level level = trace_context_level::level1)
  {
    tracestate t;
    bool const ok = detail::for_each_list_member(s, [&](std::string_view m) {
      if (m.empty())
        return true;
      std::size_t const eq = m.find('=');
      if (eq == std::string_view::npos)
        return false;
      std::string_view const key = m.substr(0, eq);
      std::string_view const value = m.substr(eq + 1);
      if (!valid_key(key, level) || !valid_value(value)
          || t.members.size() == max_members)
        return false;
      for (auto const& kv : t.members)
        if (kv.first == key)
          return false;
      t.members.emplace_back(std::string(key), std::string(value));
      return true;
    });
    if (!ok)
      return std::nullopt;
    return t;
  }

  /// The header value: what `parse` accepts, always. Members that do not
  /// satisfy the grammar (ones added by hand), a repeated key (the first,
  /// leftmost, is the most recent and is kept) and members past the 32nd
  /// written are left out.
  std::string to_string(
      trace_context_level level = trace_context_level::level1) const
  {
    std::string s;
    std::vector<std::string_view> written;
    for (auto const& kv : members)
    {
      if (written.size() == max_members)
        break;
      if (!valid_key(kv.first, level) || !valid_value(kv.second))
        continue;
      bool repeated = false;
      for (std::string_view k : written)
        repeated = repeated || k == kv.first;
      if (repeated)
        continue;
      written.push_back(kv.first);
      if (!s.empty())
        s += ',';
      s += kv.first;
      s += '=';
      s += kv.second;
    }
    return s;
  }
};

/// The `baggage` header: application key/value pairs with properties.
/**
 * Parsing follows W3C Baggage: at most 180 list members and 8192 bytes,
 * keys as RFC 7230 tokens, values of baggage octets (percent-encoded UTF-8
 * stays encoded), properties after `;` kept as written once validated.
 * Any violation makes the whole header invalid.
 */
struct baggage
{
  static constexpr std::size_t max_members = 180;
  static constexpr std::size_t max_bytes = 8192;

  struct entry
  {
    std::string key;
    std::string value;       // as sent: percent-encoding is not decoded
    std::string properties;  // after the first ';': "k" or "k=v", ';'-joined
  };

  std::vector<entry> entries;

  static bool is_tchar(char c) noexcept
  {
    if (detail::is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
      return true;
    switch (c)
    {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*':
    case '+': case '-': case '.': case '^': case '_': case '`': case '|':
    case '~':
      return true;
    default:
      return false;
    }
  }

  static bool valid_key(std::string_view k) noexcept
  {
    if (k.empty())
      return false;
    for (char c : k)
      if (!is_tchar(c))
        return false;
    return true;
  }

  static bool valid_value(std::string_view v) noexcept
  {
    for (char c : v)
    {
      auto const u = static_cast<unsigned char>(c);
      if (u < 0x21 || u > 0x7e || c == '"' || c == ',' || c == ';' || c == '\\')
        return false;
    }
    return true;
  }

  /// Validates properties (the text after a member's first `;`) and
  /// rewrites them without their white space: `k` or `k=v`, `;`-joined.
  /// Empty when they would not parse.
  static std::optional<std::string> normalize_properties(std::string_view p)
  {
    std::string out;
    for (;;)
    {
      std::size_t const next = p.find(';');
      std::string_view const one = detail::trim_ows(p.substr(0, next));
      std::size_t const eq = one.find('=');
      std::string_view const key = detail::trim_ows(one.substr(0, eq));
      if (!valid_key(key))
        return std::nullopt;
      if (!out.empty())
        out += ';';
      out += key;
      if (eq != std::string_view::npos)
      {
        std::string_view const value = detail::trim_ows(one.substr(eq + 1));
        if (!valid_value(value))
          return std::nullopt;
        out += '=';
        out += value;
      }
      if (next == std::string_view::npos)
        return out;
      p.remove_prefix(next + 1);
    }
  }

  /// Parses a header value; empty when it is malformed.
  static std::optional<baggage> parse(std::string_view s)
  {
    if (s.size() > max_bytes)
      return std::nullopt;
    baggage b;
    bool const ok = detail::for_each_list_member(s, [&](std::string_view m) {
      if (m.empty() || b.entries.size() == max_members)
        return false;
      std::size_t const semi = m.find(';');
      std::string_view const kv = m.substr(0, semi);
      std::size_t const eq = kv.find('=');
      if (eq == std::string_view::npos)
        return false;
      std::string_view const key = detail::trim_ows(kv.substr(0, eq));
      std::string_view const value = detail::trim_ows(kv.substr(eq + 1));
      if (!valid_key(key) || !valid_value(value))
        return false;
      std::optional<std::string> props(std::in_place);
      if (semi != std::string_view::npos)
        props = normalize_properties(m.substr(semi + 1));
      if (!props)
        return false;
      b.entries.push_back(
          entry{std::string(key), std::string(value), std::move(*props)});
      return true;
    });
    if (!ok)
      return std::nullopt;
    return b;
  }

  /// The value of `key`, or null.
  std::string const* find(std::string_view key) const noexcept
  {
    for (auto const& e : entries)
      if (e.key == key)
        return &e.value;
    return nullptr;
  }

  /// The header value: what `parse` accepts, always. Entries that do not
  /// satisfy the grammar (ones added by hand, with a key, value or
  /// properties that would not parse) are left out, and so is every entry
  /// that would take the header past 180 members or 8192 bytes.
  std::string to_string() const
  {
    std::string s;
    std::size_t written = 0;
    for (auto const& e : entries)
    {
      if (written == max_members)
        break;
      if (!valid_key(e.key) || !valid_value(e.value)
          || (!e.properties.empty()
            && normalize_properties(e.properties) != e.properties))
        continue;
      std::size_t const size = (s.empty() ? 0 : 1) + e.key.size() + 1
        + e.value.size()
        + (e.properties.empty() ? 0 : 1 + e.properties.size());
      if (s.size() + size > max_bytes)
        continue;
      if (!s.empty())
        s += ',';
      s += e.key;
      s += '=';
      s += e.value;
      if (!e.properties.empty())
      {
        s += ';';
        s += e.properties;
      }
      ++written;
    }
    return s;
  }
};

} // namespace http
} // namespace async_local
} // namespace boost

namespace std {

template <std::size_t N>
struct hash<boost::async_local::http::fixed_string<N>>
{
  std::size_t operator()(
      boost::async_local::http::fixed_string<N> const& s) const noexcept
  {
    return std::hash<std::string_view>()(s.view());
  }
};

} // namespace std

#endif // BOOST_ASYNC_LOCAL_HTTP_TRACE_CONTEXT_HPP
