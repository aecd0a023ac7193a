//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_ASYNC_LOCAL_SNAPSHOT_HPP
#define BOOST_ASYNC_LOCAL_SNAPSHOT_HPP

#include <boost/async_local/detail/access.hpp>
#include <boost/async_local/detail/context.hpp>
#include <boost/async_local/detail/registry.hpp>

#include <functional>
#include <optional>
#include <ostream>
#include <sstream>
#include <string>
#include <type_traits>
#include <typeinfo>
#include <utility>
#include <vector>

namespace boost {
namespace async_local {

template <class T>
class snapshot_binder;

/// An immutable capture of every async-local variable's binding.
/**
 * A snapshot is what propagates: the executor wrapper and @ref bind_snapshot
 * capture one when an operation is initiated and run the completion inside it.
 *
 * @par Semantics
 * A snapshot never changes. Binding a variable afterwards makes a new context
 * and leaves existing snapshots alone. The values a snapshot can see live at
 * least as long as the snapshot.
 *
 * @par Thread safety
 * Distinct objects: safe. Shared objects: safe for concurrent const use,
 * including copying, so one snapshot may be shared across threads.
 *
 * @par Cost
 * A snapshot is one pointer. The empty snapshot costs nothing to copy;
 * copying a non-empty one is one atomic increment (a plain one in a
 * process that has only ever had one thread). Moving is free.
 */
class snapshot
{
public:
  /// Constructs the empty context: no variable is bound.
  snapshot() noexcept = default;

  snapshot(snapshot const& other) noexcept
    : node_(other.node_)
  {
    detail::add_ref(node_);
  }

  snapshot(snapshot&& other) noexcept
    : node_(std::exchange(other.node_, nullptr))
  {
  }

  snapshot& operator=(snapshot other) noexcept
  {
    std::swap(node_, other.node_);
    return *this;
  }

  ~snapshot()
  {
    detail::release(node_);
  }

  /// Captures the calling thread's current context.
  /**
   * @par Complexity
   * O(1). No allocation; at most one atomic increment, none when the
   * context is empty.
   */
  static snapshot current() noexcept
  {
    return snapshot(detail::acquire_current());
  }

  /// Calls `f(a...)` with this snapshot as the current context.
  /**
   * The previous context is restored when `f` returns or throws, whatever
   * bindings `f` made and did not undo.
   *
   * @returns What `f` returns.
   */
  template <class F, class... A>
  decltype(auto) run(F&& f, A&&... a) const
  {
    detail::add_ref(node_);
    detail::scope s(node_);
    return std::invoke(std::forward<F>(f), std::forward<A>(a)...);
  }

  /// Returns `f` bound to this snapshot: `bind_snapshot(*this, f)`.
  /**
   * The result is a @ref snapshot_binder: every call runs `f` with this
   * snapshot current, as @ref run does, and as a handler it keeps `f`'s
   * associated allocator and cancellation slot and runs every step of an
   * operation in this snapshot. It is copyable when `f` is.
   *
   * Defined with @ref snapshot_binder in `<boost/async_local/bind.hpp>`
   * (which the convenience header includes): calling `wrap` without it
   * does not compile.
   */
  template <class F, class Binder = snapshot_binder<std::decay_t<F>>>
  [[nodiscard]] Binder wrap(F&& f) const
  {
    return Binder(*this, std::forward<F>(f));
  }

  /// True when no variable is bound in this snapshot.
  bool empty() const noexcept
  {
    return node_ == nullptr;
  }

  /// One variable's binding in a snapshot, as @ref bindings lists it.
  struct binding
  {
    /// The variable's name (see `variable(std::string)`); empty if it has
    /// none.
    std::string name;

    /// `typeid` of the variable's value type; null when compiled without
    /// RTTI.
    std::type_info const* type = nullptr;

    /// The value as its `operator<<` prints it, with every byte outside
    /// printable ASCII, the backslash and the double quote escaped (`\n`
    /// becomes `\x0a`, `"` becomes `\"`); empty when the type has no
    /// `operator<<`.
    std::optional<std::string> value;
  };

  /// The bindings of this snapshot, for logs and debuggers.
  /**
   * One element per variable bound, in the order the variables were made
   * (a variable's `disable()` counts as making it anew). Values of
   * variables destroyed since, or bound before a `disable()`, are left
   * out: no code can read them any more. A zone's binding is left out
   * (see @ref zone::current).
   *
   * @par Thread safety
   * Safe to call concurrently with anything. It takes a lock that making
   * and destroying a variable take too, and releases it before printing
   * values.
   *
   * @par Cost
   * Allocates; O(bindings × live variables). Not for hot paths.
   *
   * @throws std::bad_alloc, and what a value's `operator<<` throws.
   */
  std::vector<binding> bindings() const
  {
    std::vector<binding> out;
    for (detail::found_binding& f : detail::find_bindings(node_))
    {
      binding b{std::move(f.name), f.type, std::nullopt};
      if (f.print)
      {
        std::ostringstream os;
        f.print(os, f.value);
        b.value.emplace();
        detail::append_escaped(*b.value, os.str());
      }
      out.push_back(std::move(b));
    }
    return out;
  }

  /// Writes `{name="value", ...}`: the bindings as @ref bindings lists
  /// them, names escaped as values are, `(unnamed)` for a variable with no
  /// name and `(not printable)` for a value with no `operator<<`. Nothing
  /// it writes can end a log line.
  friend std::ostream& operator<<(std::ostream& os, snapshot const& s)
  {
    std::string text = "{";
    for (binding const& b : s.bindings())
    {
      if (text.size() > 1)
        text += ", ";
      if (b.name.empty())
        text += "(unnamed)";
      else
        detail::append_escaped(text, b.name);
      if (b.value)
      {
        text += "=\"";
        text += *b.value;
        text += '"';
      }
      else
        text += "=(not printable)";
    }
    text += '}';
    return os << text;
  }

  /// Two snapshots are equal when they are the same capture.
  /**
   * Snapshots taken from the same context compare equal. Two contexts built
   * separately compare unequal even when they bind equal values: equality is
   * identity, and it is O(1).
   */
  friend bool operator==(snapshot const& a, snapshot const& b) noexcept
  {
    return a.node_ == b.node_;
  }

  friend bool operator!=(snapshot const& a, snapshot const& b) noexcept
  {
    return a.node_ != b.node_;
  }

private:
  friend struct detail::access;

  // Adopts one reference.
  explicit snapshot(detail::node* adopted) noexcept
    : node_(adopted)
  {
  }

  detail::node* release_node() noexcept
  {
    return std::exchange(node_, nullptr);
  }

  detail::node* get_node() const noexcept
  {
    return node_;
  }

  detail::node* node_ = nullptr;
};

} // namespace async_local
} // namespace boost

#endif // BOOST_ASYNC_LOCAL_SNAPSHOT_HPP
