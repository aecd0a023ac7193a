//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_ASYNC_LOCAL_FLOW_HPP
#define BOOST_ASYNC_LOCAL_FLOW_HPP

#include <boost/async_local/detail/access.hpp>
#include <boost/async_local/detail/context.hpp>
#include <boost/async_local/restore_guard.hpp>

namespace boost {
namespace async_local {

/// Stops the current context from flowing into work initiated here, until
/// the returned guard is destroyed (.NET's `ExecutionContext.SuppressFlow`).
/**
 * For long-lived background work started from inside a request (a
 * reconnect loop, a cache refresher) that must not pin the request's
 * values or be counted in its zone:
 *
 * @code
 * {
 *   auto g = boost::async_local::suppress_flow();
 *   asio::co_spawn(ex, refresh_forever(), asio::detached);
 * }
 * @endcode
 *
 * Under the guard, the code that made it still reads its values, but work
 * initiated from it captures the empty context, on every path that
 * captures: a @ref propagating_executor and its strands (`post`,
 * `dispatch`, `defer`, every operation's completion, `co_spawn`),
 * `bind_snapshot(handler)`, @ref snapshot::current (empty), a new
 * @ref resource. Such work is in no zone, and no zone counts it. A
 * snapshot you took yourself still binds where you use it.
 *
 * Suppression is a property of the current context, not of the thread:
 * bindings made under the guard (@ref variable::run, @ref variable::set,
 * @ref variable::assign, @ref variable::exit, @ref zone::run) are
 * suppressed too, and a handler the library runs inline meanwhile (one
 * submitted through a @ref propagating_executor or a binder, run by
 * `io_context::run_one` called under the guard) runs in its own context,
 * whose work flows. A handler submitted through a plain executor has no
 * context of its own, and runs in the suppressed one.
 *
 * A zone made under the guard is not a child of the current zone. Entered
 * under the guard (`zone::run`), it counts nothing, since nothing flows.
 * For background work that has a zone of its own and carries nothing of
 * the request, leave the request's context altogether instead:
 *
 * @code
 * al::snapshot().run([&] {        // the empty context, which flows
 *   al::zone background("refresher");
 *   background.run([&] { asio::co_spawn(ex, refresh_forever(), asio::detached); });
 * });
 * @endcode
 *
 * The guard is a @ref restore_guard: destroying it (or calling
 * `restore()`) makes the context before it current again, under the rules
 * of restore_guard. Made while the flow is already suppressed, it is
 * empty: nothing to undo.
 *
 * A coroutine that suspends under the guard resumes in the empty context
 * (its continuation is work initiated under it, and captures nothing):
 * suppress the flow around the initiation of the work you do not await,
 * not around a `co_await`.
 *
 * Under `BOOST_ASYNC_LOCAL_DISABLE`, and while propagation is switched off
 * (@ref set_enabled), nothing flows anyway: the guard is empty.
 *
 * @par Thread safety
 * Affects the calling thread's current context only.
 *
 * @par Cost
 * One block (recycled per thread, as a binding's), holding a copy of the
 * context's entry table. Every capture of a non-empty context tests one
 * flag, in the word next to the reference count it updates.
 *
 * @throws std::bad_alloc; nothing is changed then.
 */
[[nodiscard]] inline restore_guard suppress_flow()
{
  detail::node* const n = detail::current();
  if (!detail::enabled() || detail::flow_suppressed(n))
    return restore_guard();
  return detail::access::construct<restore_guard>(
      detail::make_node<detail::suppression>(n, 0));
}

/// True while the current context was made under @ref suppress_flow
/// (while propagation is switched off, nothing flows whatever this says).
inline bool is_flow_suppressed() noexcept
{
  return detail::flow_suppressed(detail::current());
}

} // namespace async_local
} // namespace boost

#endif // BOOST_ASYNC_LOCAL_FLOW_HPP
