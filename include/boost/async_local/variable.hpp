//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_ASYNC_LOCAL_VARIABLE_HPP
#define BOOST_ASYNC_LOCAL_VARIABLE_HPP

#include <boost/async_local/detail/context.hpp>
#include <boost/async_local/detail/registry.hpp>
#include <boost/async_local/enable.hpp>
#include <boost/async_local/restore_guard.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <typeinfo>
#include <type_traits>
#include <utility>

namespace boost {
namespace async_local {
namespace otel {
class context_storage;
} // namespace otel

namespace detail {

// A variable's change callback F, for values of type T.
template <class T, class F>
struct watcher_for : watcher
{
  explicit watcher_for(F&& f)
    : function(std::move(f))
  {
  }

  static void call_function(watcher& w, void const* previous,
      void const* current, bool context_switch) noexcept
  {
    static_cast<watcher_for&>(w).function(static_cast<T const*>(previous),
        static_cast<T const*>(current), context_switch);
  }

  static void destroy_function(watcher* w) noexcept
  {
    delete static_cast<watcher_for*>(w);
  }

  F function;
};

// The watcher of a new variable with key `key`, with one reference (the
// variable's); none when nothing is compiled in (no context is ever made).
template <class T, class F>
watcher* make_watcher(F&& f, std::uint64_t key)
{
  if constexpr (!compiled_in)
    return nullptr;
  auto* const w = new watcher_for<T, F>(std::move(f));
  w->refs.store(1, std::memory_order_relaxed);
  w->key.store(key, std::memory_order_relaxed);
  w->call = &watcher_for<T, F>::call_function;
  w->destroy = &watcher_for<T, F>::destroy_function;
  watching.store(true, std::memory_order_relaxed);
  return w;
}

} // namespace detail

/// An async-local variable: a key whose value follows asynchronous work.
/**
 * A value bound with @ref run or @ref set is visible through @ref get in the
 * code that binds it, in everything it calls, and in every handler that
 * logically continues that work (when propagation is set up with
 * @ref propagating_executor or @ref bind_snapshot), and nowhere else.
 *
 * Any number of independent variables may exist. A variable is neither
 * copyable nor movable: its identity is the key. A new variable never sees a
 * destroyed variable's values, even at the same address.
 *
 * @par Values
 * Bound values are immutable: @ref get gives const access. A value lives
 * exactly as long as some context that can see it (a snapshot, a pending
 * operation, a running handler); destroying the variable does not destroy
 * values still held by snapshots.
 *
 * @par Thread safety
 * All member functions are safe to call concurrently. Bindings are per
 * thread of execution: a binding made on one thread is never seen by another
 * thread's handlers unless propagated to them.
 *
 * @par Cost
 * @ref get is O(1) for contexts binding up to 8 variables (a short linear
 * scan, no hashing, no locks), O(log n) above. Binding takes one block
 * holding the value and a copy of the context's entry table; blocks of up to
 * 512 bytes are recycled through a small cache per thread (at most 9 KiB),
 * so a binding made and dropped in a loop allocates once.
 */
template <class T>
class variable
{
  static_assert(!std::is_reference<T>::value && !std::is_const<T>::value,
      "bind values, not references; values are already immutable");

public:
  /// The type of the bound values.
  using value_type = T;

  /// A variable without a name.
  variable() noexcept
    : key_(detail::next_key()),
      info_{&key_, "", type_of(), detail::printer<T>(), nullptr, nullptr}
  {
    detail::enlist(info_);
  }

  /// A variable named `name`, as @ref snapshot::bindings lists it (Python's
  /// `ContextVar(name)`): for logs and debuggers, not a key; two variables
  /// may share a name.
  /**
   * @throws std::bad_alloc.
   */
  explicit variable(std::string name)
    : key_(detail::next_key()),
      name_(std::move(name)),
      info_{&key_, name_.c_str(), type_of(), detail::printer<T>(), nullptr,
        nullptr}
  {
    detail::enlist(info_);
  }

  /// A variable whose `on_change` is called whenever the value visible on
  /// a thread changes (.NET's `AsyncLocal<T>(valueChangedHandler)`).
  /**
   * `on_change(previous, current, context_switch)` is called on the thread
   * whose current context changed, after the change (so @ref get returns
   * `current`), with the bindings before and after as `T const*` (null:
   * unbound). A binding is compared by identity, not by value: binding a
   * value equal to the current one is a change. `context_switch` is false
   * when this variable's own @ref run, @ref exit, @ref set (and its guard),
   * @ref assign, @ref reset or @ref disable made the change, and true when
   * a captured context was installed or left: a handler run by a
   * propagating executor or a bound handler, a snapshot's `run`, a
   * coroutine resumed or suspended, a resource's `run`. Bindings of other
   * variables, zones and @ref suppress_flow never call it.
   *
   * This is the bridge to libraries that keep their own `thread_local` (a
   * logging MDC, a tracer's active span): copy `current` into it.
   *
   * Not called: while propagation is switched off (@ref set_enabled); for
   * values bound before a @ref disable (disable calls it once, on the
   * calling thread, if a value was visible there); when a thread exits;
   * while a hook's destroy is reported (hooks.hpp); after the variable is
   * destroyed. A call already running on another thread when the
   * destructor returns finishes; `on_change` lives until the last binding
   * of the variable is released.
   *
   * @par Thread safety
   * `on_change` is called concurrently from every thread that runs the
   * variable's work, and must be safe for that. It may read and bind
   * variables, initiate work, disable or destroy the variable. A change
   * of the current context it leaves behind (an @ref assign) is reported
   * after it returns, to every callback, after the rest of the change
   * being reported, so each sees its values in the order the thread had
   * them; a binding it makes and undoes before returning (a @ref run) is
   * not reported. Switching propagation off in it stops the calls still
   * to come. So a callback that leaves a new binding of a watched variable
   * behind on every call (an `assign` of its own variable, say, whatever
   * the value) is called again for that change, and again, and never
   * returns to the code that made the first change: leave a binding behind
   * only under a condition that the next call finds false.
   *
   * @par Exceptions
   * `on_change` must not throw: it is called from destructors and
   * `noexcept` functions, and an exception ends the program
   * (`std::terminate`). The constructor throws `std::bad_alloc`.
   *
   * @par Cost
   * One allocation for the callback. Until the first such variable is
   * made, a change of context tests one global flag. Afterwards a change
   * reads the flags of the contexts before and after, and walks their
   * entries only when one binds a watched variable.
   */
  template <class F, class = std::enable_if_t<
    std::is_invocable<F&, T const*, T const*, bool>::value>>
  explicit variable(F on_change)
    : variable(std::string(), std::move(on_change))
  {
  }

  /// A named variable with a change callback (see above).
  template <class F, class = std::enable_if_t<
    std::is_invocable<F&, T const*, T const*, bool>::value>>
  variable(std::string name, F on_change)
    : key_(detail::next_key() | detail::watched_bit),
      name_(std::move(name)),
      info_{&key_, name_.c_str(), type_of(), detail::printer<T>(), nullptr,
        nullptr},
      watcher_(detail::make_watcher<T>(std::move(on_change), key_.load()))
  {
    detail::enlist(info_);
  }

  /// Values already bound stay alive where contexts hold them, unreadable.
  ~variable()
  {
    detail::delist(info_);
    if (watcher_)
    {
      watcher_->key.store(0, std::memory_order_relaxed);
      detail::release_watcher(watcher_);
    }
  }

  /// The variable's name; empty if it has none.
  std::string const& name() const noexcept
  {
    return name_;
  }

  variable(variable const&) = delete;
  variable& operator=(variable const&) = delete;

  /// The value bound in the current context, or null when unbound.
  /**
   * The pointer stays valid while the binding it came from is current (and
   * as long as any snapshot of it lives).
   */
  T const* get() const noexcept
  {
    detail::node const* n = detail::current();
    return n && detail::enabled()
      ? static_cast<T const*>(detail::find(n, key())) : nullptr;
  }

  /// A copy of the bound value, or `fallback` when unbound.
  T value_or(T fallback) const
  {
    T const* p = get();
    return p ? *p : std::move(fallback);
  }

  /// Calls `f(a...)` with this variable bound to `value`.
  /**
   * The previous context is restored when `f` returns or throws, whatever
   * bindings `f` made and did not undo. While propagation is switched off
   * (@ref set_enabled), `f` is called without a binding.
   *
   * @returns What `f` returns.
   * @throws What allocating the binding or `f` throws.
   */
  template <class F, class... A>
  decltype(auto) run(T value, F&& f, A&&... a) const
  {
    if (!detail::enabled())
      return std::invoke(std::forward<F>(f), std::forward<A>(a)...);
    detail::scope s(
        make_binding(detail::current(), key(), std::move(value)), false);
    return std::invoke(std::forward<F>(f), std::forward<A>(a)...);
  }

  /// Calls `f(a...)` with this variable unbound.
  /**
   * Other variables keep their bindings. The previous context is restored
   * when `f` returns or throws.
   */
  template <class F, class... A>
  decltype(auto) exit(F&& f, A&&... a) const
  {
    if (!detail::enabled())
      return std::invoke(std::forward<F>(f), std::forward<A>(a)...);
    detail::node* const n = detail::current();
    std::uint64_t const k = key();
    detail::node* unbound = n;
    if (n && detail::find(n, k))
      unbound = detail::make_node<detail::no_value>(n, k);
    else if (n)
      detail::share_current(n);
    detail::scope s(unbound, false);
    return std::invoke(std::forward<F>(f), std::forward<A>(a)...);
  }

  /// Binds `value` until the returned guard is destroyed.
  /**
   * See @ref restore_guard for what happens when guards are destroyed out of
   * order or outside the handler that made them. Prefer @ref run where the
   * binding has a lexical scope. While propagation is switched off
   * (@ref set_enabled), nothing is bound and the guard is empty.
   */
  [[nodiscard]] restore_guard set(T value) const
  {
    if (!detail::enabled())
      return restore_guard();
    return detail::access::construct<restore_guard>(
        make_binding(detail::current(), key(), std::move(value)));
  }

  class token;

  /// Binds `value` in the current context, with no scope to end it, as
  /// Python's `ContextVar.set` does; @ref reset with the token undoes it.
  /**
   * The current context is replaced by one with this variable bound to
   * `value`; other variables keep their bindings. The binding lasts until
   * it is replaced (by @ref reset, another assignment, or @ref disable),
   * or until the enclosing scope ends: the handler the executor runs, a
   * @ref run, a snapshot's `run`; outside every scope, until the thread
   * exits, when the library releases what the thread still has bound.
   * Work initiated meanwhile captures it, as it would a binding of
   * @ref run.
   *
   * An assignment reset while nothing else has changed the current context
   * since puts back the very context it replaced, so it nests inside any
   * guard (@ref set, @ref suppress_flow): the guard still finds its own
   * binding when it ends. A token may also be dropped: the binding stays,
   * and a @ref restore_guard made before the assignment and destroyed
   * after it finds its binding no longer current, and restores nothing
   * (see restore_guard).
   *
   * While propagation is switched off (@ref set_enabled), nothing is bound
   * and the token is empty.
   *
   * @returns A token that keeps the context before the assignment and the
   * one it made alive until it is spent or destroyed.
   * @throws What allocating the binding throws; nothing is bound then.
   */
  token assign(T value) const
  {
    if (!detail::enabled())
      return token();
    detail::node* const n = detail::current();
    std::uint64_t const k = key();
    detail::node* const next = make_binding(n, k, std::move(value));
    detail::add_ref(n);
    detail::add_ref(next);
    token t(this, k, n, next);
    detail::replace_current(next);
    return t;
  }

  /// Gives this variable back the value it had before the assignment
  /// that made `t` (or makes it unbound, if it had none), in the current
  /// context, as Python's `ContextVar.reset` does.
  /**
   * If the current context is still the one the assignment made, the
   * context it replaced is current again, as it was. Otherwise, other
   * variables keep their current bindings, and so do bindings of this
   * variable made since in enclosing scopes: only the current context
   * changes, as @ref assign changes it. Tokens may be reset in any order:
   * each brings back the value its own assignment replaced, whatever
   * happened since (`t1 = assign(1); t2 = assign(2); reset(t1)` leaves the
   * variable as it was before both; `reset(t2)` then binds 1). Unlike
   * Python, a token may be reset in another handler or on another thread
   * than the one that made it: it rebinds there.
   *
   * `t` is spent. An empty token (default-constructed, moved from, or
   * made while propagation was off) and a token made before @ref disable
   * reset nothing (the values bound before a disable are never visible
   * again). While propagation is switched off, only the first case above
   * changes the current context (it binds nothing new).
   *
   * @throws std::invalid_argument if `t` was made by another variable; `t`
   * is left as it was. What allocating the binding throws; `t` is left as
   * it was.
   */
  void reset(token&& t) const
  {
    if (!t.variable_)
      return;
    if (t.variable_ != this)
      throw std::invalid_argument(
          "boost::async_local::variable::reset: a token of another variable");
    std::uint64_t const k = key();
    detail::node* const n = detail::current();
    if (t.key_ == k && n == t.after_)
    {
      detail::add_ref(t.before_);
      detail::replace_current(t.before_);
    }
    else if (t.key_ == k && detail::enabled())
    {
      rebind(t);
    }
    token spent(std::move(t));
  }

  /// Lets go of every value bound so far, as Node's
  /// `AsyncLocalStorage.disable()` does.
  /**
   * From now on the variable reads null everywhere, on every thread, until
   * it is bound again (@ref run, @ref set): it behaves as a new variable,
   * and no value bound before the call is ever visible through it again.
   *
   * The calling thread's current context is replaced at once by one
   * without the variable, so that it no longer holds the values (a
   * @ref restore_guard whose binding was that context still restores the
   * context before it). Other holders keep the values alive, unreadable,
   * until they go: snapshots, pending operations, other threads'
   * handlers, the contexts enclosing the current handler, and the
   * bindings of guards still alive.
   *
   * @par Thread safety
   * Safe to call concurrently with any other member function. A @ref run
   * or @ref set racing with it may bind under the old identity: such a
   * binding reads null.
   *
   * @par Exceptions
   * None. If memory runs out while replacing the current context, its
   * values stay alive (still unreadable) until it is left.
   */
  void disable() noexcept
  {
    detail::watcher* const w = watcher_;
    std::uint64_t const fresh =
      detail::next_key() | (w ? detail::watched_bit : 0);
    if (!w)
    {
      detail::drop_from_current(
          key_.exchange(fresh, std::memory_order_relaxed));
      return;
    }
    // The watcher takes the new identity first, so that every binding made
    // under it (by the callback below, or racing on another thread) is
    // reported from its start. The value this thread loses is reported by
    // hand, once it is gone. The callback may destroy the variable: from
    // here on nothing touches it.
    detail::retain_watcher(w);
    w->key.store(fresh, std::memory_order_relaxed);
    std::uint64_t const old =
      key_.exchange(fresh, std::memory_order_relaxed);
    detail::node* const n = detail::current();
    void const* const lost =
      n && detail::enabled() ? detail::find(n, old) : nullptr;
    detail::add_ref(n);
    detail::drop_from_current(old);
    if (lost && detail::switched_on.load(std::memory_order_relaxed))
      w->call(*w, lost, nullptr, false);
    detail::release(n);
    detail::release_watcher(w);
  }

private:
  friend class otel::context_storage;

  // The context `base` with key `k` bound to `value`: one reference.
  detail::node* make_binding(detail::node const* base, std::uint64_t k,
      T&& value) const
  {
    if (watcher_)
      return detail::make_node<detail::watched<T>>(base, k, watcher_,
          std::move(value));
    return detail::make_node<T>(base, k, std::move(value));
  }

  // Binds, in the current context, the value `t`'s assignment replaced (or
  // unbinds); `t` stays as it is.
  void rebind(token const& t) const
  {
    std::uint64_t const k = key();
    detail::node* const n = detail::current();
    detail::entry const* const previous =
      t.before_ ? detail::find_entry(t.before_, k) : nullptr;
    detail::node* next = n;
    if (previous)
      next = detail::make_node<detail::shared_value>(n, k,
          detail::shared_value{*previous});
    else if (n && detail::find(n, k))
      next = detail::make_node<detail::no_value>(n, k);
    if (next != n)
      detail::replace_current(next);
  }

  static std::type_info const* type_of() noexcept
  {
#if defined(BOOST_ASYNC_LOCAL_NO_RTTI)
    return nullptr;
#else
    return &typeid(T);
#endif
  }

  // Relaxed: the key orders nothing; a reader sees the old one or the new.
  std::uint64_t key() const noexcept
  {
    return key_.load(std::memory_order_relaxed);
  }

  std::atomic<std::uint64_t> key_;
  std::string name_;
  detail::variable_info info_;
  detail::watcher* watcher_ = nullptr;  // one reference; null: no callback
};

/// What @ref variable::assign returns: the variable's previous value, to
/// bring back with @ref variable::reset.
/**
 * It keeps the context before the assignment and the one the assignment
 * made alive until it is spent or destroyed (so their values too).
 * Movable, not copyable: a token is reset at most once.
 *
 * @par Thread safety
 * Distinct objects: safe. Shared objects: unsafe. A token may be moved to
 * and reset or destroyed on any thread.
 */
template <class T>
class variable<T>::token
{
public:
  /// An empty token: resetting it does nothing.
  token() noexcept = default;

  token(token&& other) noexcept
    : variable_(std::exchange(other.variable_, nullptr)),
      key_(other.key_),
      before_(std::exchange(other.before_, nullptr)),
      after_(std::exchange(other.after_, nullptr))
  {
  }

  token& operator=(token&& other) noexcept
  {
    token(std::move(other)).swap(*this);
    return *this;
  }

  token(token const&) = delete;
  token& operator=(token const&) = delete;

  ~token()
  {
    detail::release(before_);
    detail::release(after_);
  }

  /// True until the token is spent (or when it was made empty).
  bool active() const noexcept
  {
    return variable_ != nullptr;
  }

private:
  friend class variable<T>;
  // It detaches in an inner scope without spending the token.
  friend class otel::context_storage;

  // Adopts one reference to each of `before` (may be null: the empty
  // context) and `after`.
  token(variable const* v, std::uint64_t key, detail::node* before,
      detail::node* after) noexcept
    : variable_(v),
      key_(key),
      before_(before),
      after_(after)
  {
  }

  void swap(token& other) noexcept
  {
    std::swap(variable_, other.variable_);
    std::swap(key_, other.key_);
    std::swap(before_, other.before_);
    std::swap(after_, other.after_);
  }

  variable const* variable_ = nullptr;
  std::uint64_t key_ = 0;
  detail::node* before_ = nullptr;
  detail::node* after_ = nullptr;
};

} // namespace async_local
} // namespace boost

#endif // BOOST_ASYNC_LOCAL_VARIABLE_HPP
