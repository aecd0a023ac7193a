//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_ASYNC_LOCAL_HOOKS_HPP
#define BOOST_ASYNC_LOCAL_HOOKS_HPP

#include <boost/async_local/detail/operation.hpp>

#include <algorithm>
#include <cstdint>
#include <mutex>
#include <utility>
#include <vector>

namespace boost {
namespace async_local {

/// Callbacks for the life of every asynchronous operation, after Node.js's
/// `async_hooks`.
/**
 * Derive and override any subset; install with @ref install_hooks.
 *
 * @par Operations
 * While at least one hook is installed, the library gives every operation it
 * sees an id (never 0, never reused) and reports:
 * - `init(id, trigger_id, type)` when the operation is initiated: when an
 *   asynchronous operation asks a propagating executor for tracked work
 *   (`type` "operation"; Asio does not say which operation asks), when a
 *   function is submitted through a propagating executor or strand that
 *   carries no capture ("post", "defer" or "dispatch", from the executor's
 *   `blocking` and `relationship` properties), when a function is submitted
 *   through the associated executor of a handler bound by
 *   @ref bind_snapshot ("bind"), and when an @ref resource is made
 *   ("resource:" and its name). A function submitted through an executor
 *   whose `blocking` property cannot be queried is "execute". `trigger_id` is the @ref execution_id of the
 *   code that initiated it (0 at top level). `type` is valid during the call
 *   only.
 * - `before(id)` and `after(id)` around each run of a function the
 *   operation runs: its completion handler, each intermediate step of a
 *   composed operation, a resource's `run`. `after` is called also when the
 *   function throws. Both are called on the thread that runs the function,
 *   with the operation's context installed, so a hook can read variables.
 * - `destroy(id)` exactly once per `init`, when the last thing that can run
 *   functions in the operation has gone: after its completion handler has
 *   run, or when the operation is destroyed unrun (its io_context destroyed
 *   with the work pending, a strand or queue destroyed). It may be called
 *   on any thread, with no context installed and `execution_id()` 0.
 *
 * An asynchronous operation may ask two executors for tracked work: the
 * I/O object's and its handler's (Asio does for a coroutine's `co_await`
 * and for handlers with an associated executor of their own). Each that is
 * a propagating executor is an operation of its own, with the same
 * trigger; only the one the handler runs through sees `before`/`after`.
 *
 * @par Thread safety
 * Callbacks are called concurrently from every thread that runs handlers.
 * They must not throw (they are `noexcept`; an exception terminates).
 *
 * @par Cost
 * A hook is called through a virtual function, between an atomic increment
 * and decrement of the installed list's reader count. Each operation
 * allocates a record of 64 bytes (recycled per thread, like contexts).
 */
struct async_hooks
{
  virtual ~async_hooks() = default;

  /// An operation was initiated by `trigger_id` (0: at top level).
  virtual void init(async_id id, async_id trigger_id, char const* type)
      noexcept
  {
    (void)id;
    (void)trigger_id;
    (void)type;
  }

  /// A function of operation `id` is about to run on this thread.
  virtual void before(async_id id) noexcept { (void)id; }

  /// A function of operation `id` has returned or thrown.
  virtual void after(async_id id) noexcept { (void)id; }

  /// Operation `id` is gone: it will run no function again.
  virtual void destroy(async_id id) noexcept { (void)id; }
};

class hooks_registration;

namespace detail {

// Installs the zones' hook, which wants records of operations in zones
// only (zone.hpp).
hooks_registration install_zone_hooks(async_hooks& h);

} // namespace detail

/// Owns the installation of one @ref async_hooks object; made by
/// @ref install_hooks.
/**
 * Move-only. Destroying it, or calling @ref reset, uninstalls the hook.
 *
 * @par Guarantee
 * Once `reset()` (or the destructor) returns, the hook is not being called
 * on any other thread and will not be called again, so it may be destroyed:
 * uninstalling waits for calls into the hooks in progress on other threads
 * to return. Called from inside a hook callback (a hook that uninstalls
 * itself or another), `reset()` does not wait, since two threads doing so
 * would wait for each other for ever: the hook is not called for any event
 * that starts after `reset()` returns, nor for the rest of the event in
 * progress on this thread, but calls in progress on other threads may
 * still be running. Destroy such a hook only once those are done.
 */
class [[nodiscard]] hooks_registration
{
public:
  /// A registration that owns nothing.
  hooks_registration() noexcept = default;

  hooks_registration(hooks_registration&& other) noexcept
    : hooks_(std::exchange(other.hooks_, nullptr))
  {
  }

  hooks_registration& operator=(hooks_registration&& other) noexcept
  {
    if (this != &other)
    {
      reset();
      hooks_ = std::exchange(other.hooks_, nullptr);
    }
    return *this;
  }

  ~hooks_registration()
  {
    reset();
  }

  /// True while this registration keeps a hook installed.
  bool installed() const noexcept
  {
    return hooks_ != nullptr;
  }

  /// Uninstalls the hook (see the guarantee above); does nothing when
  /// nothing is installed. Copies the list of installed hooks: terminates
  /// if memory is exhausted.
  void reset() noexcept
  {
    async_hooks* const h = std::exchange(hooks_, nullptr);
    if (!h)
      return;
    detail::hook_registry& r = detail::hook_registry::get();
    std::vector<detail::hook_list*> walked;
    {
      std::lock_guard<std::mutex> lock(r.mutex);
      walked = r.remove(*h);
    }
    for (detail::hook_list* l : walked)
      detail::hook_registry::drain(l);
  }

private:
  friend hooks_registration install_hooks(async_hooks& h);
  friend hooks_registration detail::install_zone_hooks(async_hooks& h);

  explicit hooks_registration(async_hooks* h) noexcept
    : hooks_(h)
  {
  }

  async_hooks* hooks_ = nullptr;
};

/// Installs `h` after the hooks already installed; it is called from the
/// next event on.
/**
 * Operations initiated while no hook was installed are never reported; ones
 * initiated earlier, under another hook, may reach `h` with `before`,
 * `after` or `destroy` for an id it has not seen in `init`. `h` must
 * outlive the registration. Installing one object twice calls it twice.
 *
 * @par Cost
 * While no hook is installed, each hop tests one global pointer. While one
 * is, each operation is a record and four calls (see @ref async_hooks).
 *
 * @throws std::bad_alloc.
 */
[[nodiscard]] inline hooks_registration install_hooks(async_hooks& h)
{
  detail::hook_registry& r = detail::hook_registry::get();
  std::lock_guard<std::mutex> lock(r.mutex);
  r.add(h, true);
  return hooks_registration(&h);
}

/// The id of the operation whose function runs now on this thread: set
/// between `before` and `after`, and inside @ref resource::run. 0 at top
/// level. A function of an operation initiated while no hook was installed
/// sees whatever runs around it: 0 when it runs on its own, the enclosing
/// operation's id when it runs inline inside another's run (a `dispatch`).
inline async_id execution_id() noexcept
{
  return detail::current_execution.id;
}

/// The id of the operation that initiated the one running now (0 when
/// @ref execution_id is 0, or when it was initiated at top level).
inline async_id trigger_id() noexcept
{
  return detail::current_execution.trigger;
}

inline hooks_registration detail::install_zone_hooks(async_hooks& h)
{
  detail::hook_registry& r = detail::hook_registry::get();
  std::lock_guard<std::mutex> lock(r.mutex);
  r.add(h, false);
  return hooks_registration(&h);
}

namespace detail {

// Each report names its operation in reported_operation while the hooks
// run (see there).
template <class F>
void report(operation const& op, F const& f) noexcept
{
  operation const* const saved = std::exchange(reported_operation, &op);
  call_hooks(f);
  reported_operation = saved;
}

inline void report_init(operation const& op, char const* type) noexcept
{
  report(op, [&](async_hooks& h) { h.init(op.id, op.trigger, type); });
}

inline void report_destroy(operation const& op) noexcept
{
  report(op, [&](async_hooks& h) { h.destroy(op.id); });
}

inline void report_before(operation const& op) noexcept
{
  report(op, [&](async_hooks& h) { h.before(op.id); });
}

inline void report_after(operation const& op) noexcept
{
  report(op, [&](async_hooks& h) { h.after(op.id); });
}

} // namespace detail
} // namespace async_local
} // namespace boost

#endif // BOOST_ASYNC_LOCAL_HOOKS_HPP
