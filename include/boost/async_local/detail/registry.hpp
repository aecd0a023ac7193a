//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_ASYNC_LOCAL_DETAIL_REGISTRY_HPP
#define BOOST_ASYNC_LOCAL_DETAIL_REGISTRY_HPP

// What introspection (snapshot::bindings) knows of each live variable: its
// name, its value type, and how to print a value. Contexts hold only keys
// and value pointers; the registry maps a key back to its variable. It is
// read only by introspection and written only when a variable is made or
// destroyed: nothing on the path of a hop or a read.

#include <boost/async_local/detail/config.hpp>
#include <boost/async_local/detail/context.hpp>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <ostream>
#include <string>
#include <string_view>
#include <type_traits>
#include <typeinfo>
#include <utility>
#include <vector>

namespace boost {
namespace async_local {
namespace detail {

struct variable_info
{
  std::atomic<std::uint64_t> const* key;  // the variable's, as disable() changes it
  char const* name;                       // owned by the variable; "" if none
  std::type_info const* type;
  void (*print)(std::ostream&, void const*);  // null: not streamable
  variable_info* prev;
  variable_info* next;
};

// Constant-initialised, so that variables made during static
// initialisation, in any order, find it; exported as the slot is, so that
// shared libraries share it.
struct variable_registry
{
  std::mutex mutex;
  variable_info* head = nullptr;
};

BOOST_ASYNC_LOCAL_SYMBOL_VISIBLE inline variable_registry registry;

inline void enlist(variable_info& v) noexcept
{
  std::lock_guard<std::mutex> lock(registry.mutex);
  v.prev = nullptr;
  v.next = registry.head;
  if (registry.head)
    registry.head->prev = &v;
  registry.head = &v;
}

inline void delist(variable_info& v) noexcept
{
  std::lock_guard<std::mutex> lock(registry.mutex);
  (v.prev ? v.prev->next : registry.head) = v.next;
  if (v.next)
    v.next->prev = v.prev;
}

template <class T, class = void>
struct is_streamable : std::false_type {};

template <class T>
struct is_streamable<T, decltype(void(
    std::declval<std::ostream&>() << std::declval<T const&>()))>
  : std::true_type {};

template <class T>
void print_value(std::ostream& os, void const* value)
{
  os << *static_cast<T const*>(value);
}

template <class T>
constexpr void (*printer() noexcept)(std::ostream&, void const*)
{
  if constexpr (is_streamable<T>::value)
    return &print_value<T>;
  else
    return nullptr;
}

// Appends `in` to `out` with every byte outside printable ASCII (controls,
// DEL, and bytes of multi-byte characters), the backslash and the double
// quote escaped, so that what a value prints cannot break a log line or
// forge another.
inline void append_escaped(std::string& out, std::string_view in)
{
  static char const hex[] = "0123456789abcdef";
  for (char const c : in)
  {
    unsigned char const u = static_cast<unsigned char>(c);
    if (c == '\\' || c == '"')
    {
      out += '\\';
      out += c;
    }
    else if (u < 0x20 || u >= 0x7f)
    {
      out += "\\x";
      out += hex[u >> 4];
      out += hex[u & 0xf];
    }
    else
      out += c;
  }
}

// What the registry says of one entry, copied out under its lock, so that
// printing (user code) runs without it.
struct found_binding
{
  std::string name;
  std::type_info const* type;
  void (*print)(std::ostream&, void const*);
  void const* value;
};

// The entries of `n` whose variable is alive, in key order: zones' entries
// and values of destroyed variables (or from before a disable()) are left
// out.
inline std::vector<found_binding> find_bindings(node const* n)
{
  std::vector<found_binding> found;
  if (!n)
    return found;
  std::lock_guard<std::mutex> lock(registry.mutex);
  for (entry const* e = n->entries; e != n->entries + n->size; ++e)
  {
    if (e->key == zone_key)
      continue;
    for (variable_info const* v = registry.head; v; v = v->next)
      if (v->key->load(std::memory_order_relaxed) == e->key)
      {
        found.push_back({v->name, v->type, v->print, e->value});
        break;
      }
  }
  return found;
}

} // namespace detail
} // namespace async_local
} // namespace boost

#endif // BOOST_ASYNC_LOCAL_DETAIL_REGISTRY_HPP
