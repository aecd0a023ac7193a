//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_ASYNC_LOCAL_ZONE_HPP
#define BOOST_ASYNC_LOCAL_ZONE_HPP

#include <boost/async_local/bind.hpp>
#include <boost/async_local/detail/access.hpp>
#include <boost/async_local/detail/asio_config.hpp>
#include <boost/async_local/detail/zone.hpp>
#include <boost/async_local/enable.hpp>
#include <boost/async_local/snapshot.hpp>

#if defined(BOOST_ASYNC_LOCAL_STANDALONE_ASIO)
# include <asio/append.hpp>
# include <asio/associated_cancellation_slot.hpp>
# include <asio/associated_executor.hpp>
# include <asio/async_result.hpp>
# include <asio/error.hpp>
# include <asio/execution/outstanding_work.hpp>
# include <asio/post.hpp>
# include <asio/prefer.hpp>
# include <system_error>
#else
# include <boost/asio/append.hpp>
# include <boost/asio/associated_cancellation_slot.hpp>
# include <boost/asio/associated_executor.hpp>
# include <boost/asio/async_result.hpp>
# include <boost/asio/error.hpp>
# include <boost/asio/execution/outstanding_work.hpp>
# include <boost/asio/post.hpp>
# include <boost/asio/prefer.hpp>
# include <boost/system/error_code.hpp>
#endif

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace boost {
namespace async_local {

/// What a zone has cost so far; see @ref zone::stats.
struct zone_stats
{
  /// Runs of the zone's functions (handlers, steps of composed operations,
  /// coroutine resumptions, resource runs), its child zones' included.
  std::uint64_t handlers_run = 0;

  /// Time spent running them, by the steady clock, summed over threads.
  /// A run inside a run of the same zone (an inline dispatch) counts once.
  std::chrono::nanoseconds busy{0};

  /// From the zone's creation to when it last became idle; while work is
  /// pending, to now.
  std::chrono::nanoseconds wall{0};

  /// Operations pending now (@ref zone::pending).
  std::size_t pending = 0;
};

/// A unit of work that knows when everything it started is done, where its
/// errors go, what it cost and when it must give up: Zone.js's zones, Go's
/// `context.Context` deadline and cancellation, for Asio.
/**
 * A zone is a binding: `z.run(f)` runs `f` with the zone bound, and every
 * operation initiated there, and transitively from its handlers, belongs to
 * the zone, as a variable's binding would. A zone made inside another is
 * its child: its work counts for the parent too.
 *
 * @code
 * al::zone invocation(ioc.get_executor(), "invocation");
 * invocation.run([&] { handle(event); });       // returns before its work ends
 * co_await invocation.async_wait_idle(net::use_awaitable);  // now it has
 * @endcode
 *
 * @par Pending work
 * An operation counts as pending from its initiation until its handler has
 * run or it is destroyed unrun: work submitted through a propagating
 * executor or strand (`post`, `dispatch`, `defer`, an I/O object's
 * operation, a composed operation, a coroutine's resumption), a bound
 * handler's step, an @ref resource. These are the operations the library
 * sees (see @ref async_hooks); an I/O object on a plain executor with a
 * handler bound by @ref bind_snapshot is seen when it completes, not
 * before, and work on a plain executor is not seen at all. An executor
 * that keeps an operation's capture (a copy of `self.get_executor()` kept
 * beyond the operation) keeps that operation pending.
 *
 * @par Errors
 * With an error handler (@ref on_error), an exception escaping a function
 * the zone runs goes to it, and the thread that ran the function (in
 * `io_context::run()`) goes on with other work. See @ref on_error.
 *
 * @par Cancellation and deadline
 * @ref cancel emits Asio's per-operation cancellation to the zone's pending
 * operations that offer it: those whose handler or token is bound by
 * @ref bind_snapshot (a timer's or socket's wait, a composed operation, a
 * coroutine `co_spawn`ed with `bind_snapshot(detached)` or another bound
 * token) and handlers wrapped by an @ref resource, when the target has no
 * cancellation slot of its own. See @ref cancel.
 *
 * @par Thread safety
 * A zone is a handle: copies refer to the same zone. Distinct and shared
 * objects: safe, except @ref cancel (see there).
 *
 * @par Cost
 * Code that never enters a zone pays nothing while no zone has been made.
 * Once one has, zones install a hook for the rest of the program, and
 * operations outside every zone make no record. Through a propagating
 * executor they cost nothing more: a context knows from when it was made
 * whether it is in a zone, and that flag is tested in the same mask as the
 * flow flag every capture tests anyway (by callgrind, the same
 * instructions a hop whether or not a zone has been made). An operation
 * whose handler is bound with @ref bind_snapshot tests a global and that
 * flag, 6 instructions. Each operation inside a zone is a record (64
 * bytes, recycled per thread) and four hook calls, and each run reads the
 * steady clock twice.
 */
class zone
{
public:
  /// The steady clock, which deadlines and timings use.
  using clock_type = std::chrono::steady_clock;

  /// No zone.
  zone() noexcept = default;

  /// Makes a zone, a child of the current zone if there is one (and the
  /// flow is not suppressed, see @ref suppress_flow); it takes the
  /// parent's executor for its deadline.
  /**
   * @throws std::bad_alloc.
   */
  explicit zone(std::string_view name)
    : state_(make(name, std::nullopt))
  {
  }

  /// Makes a zone whose deadline's timer runs on `ex`, the executor its
  /// operations run on (or a strand of theirs; see @ref cancel).
  /**
   * @throws std::bad_alloc.
   */
  template <class Executor, class = std::enable_if_t<
      std::is_constructible<detail::net::any_io_executor,
        Executor const&>::value>>
  zone(Executor const& ex, std::string_view name)
    : state_(make(name, detail::net::any_io_executor(ex)))
  {
  }

  /// The innermost zone the current context is in, or no zone.
  static zone current() noexcept
  {
    zone z;
    if (detail::zone_state* s = detail::zone_of(detail::current()))
      z.state_ = s->shared_from_this();
    return z;
  }

  /// True for a zone; false for a default-constructed one.
  explicit operator bool() const noexcept
  {
    return state_ != nullptr;
  }

  /// The name given at construction.
  std::string_view name() const noexcept
  {
    return state_ ? std::string_view(state_->name) : std::string_view();
  }

  /// The zone this one was made in, or no zone.
  zone parent() const noexcept
  {
    zone z;
    if (state_)
      z.state_ = state_->parent;
    return z;
  }

  /// Calls `f(args...)` with this zone bound (other variables keep their
  /// bindings); the previous context is restored when it returns or throws.
  /**
   * While propagation is switched off (@ref set_enabled), `f` is called
   * without the binding: the work it initiates is not the zone's.
   *
   * @returns What `f` returns.
   * @throws What allocating the binding or `f` throws: an exception from
   * `f` itself is not routed to @ref on_error, as it is not a handler's.
   */
  template <class F, class... Args>
  decltype(auto) run(F&& f, Args&&... args) const
  {
    BOOST_ASYNC_LOCAL_ASSERT(state_);
    if (!detail::enabled())
      return std::invoke(std::forward<F>(f), std::forward<Args>(args)...);
    detail::scope s(detail::make_node<detail::zone_binding>(
        detail::current(), detail::zone_key,
        detail::zone_binding{state_}));
    return std::invoke(std::forward<F>(f), std::forward<Args>(args)...);
  }

  /// The number of the zone's operations (its children's included) that
  /// have not yet run their handler nor been destroyed.
  std::size_t pending() const noexcept
  {
    return state_ ? state_->pending.load(std::memory_order_acquire) : 0;
  }

  /// Waits until no operation of the zone is pending.
  /**
   * Completes with an empty error code when @ref pending reaches zero (at
   * once if it is zero: the handler is then posted, never called inside
   * this function), with `operation_aborted` when the wait is cancelled
   * through the handler's cancellation slot. Any completion token:
   * callbacks, `use_awaitable`, `deferred`, `use_future`.
   *
   * The wait itself is never the zone's work: it is initiated, and its
   * handler runs, in the caller's context with this zone (and the zones
   * inside it) left. So code in the zone may wait for the zone's other
   * work, but a handler waiting for the zone while it is itself pending
   * work of the zone (a coroutine spawned in the zone awaiting its idle)
   * waits for ever.
   *
   * The handler runs through its associated executor (with none, Asio's
   * system executor, as with `asio::post(token)`), which has outstanding
   * work meanwhile.
   *
   * @par Completion signature
   * `void(error_code)`.
   */
  template <class CompletionToken>
  auto async_wait_idle(CompletionToken&& token) const
  {
    BOOST_ASYNC_LOCAL_ASSERT(state_);
    return detail::net::async_initiate<CompletionToken, void(error_code)>(
        wait_idle_initiation{state_}, token);
  }

  /// Routes exceptions escaping the zone's functions to `handler`.
  /**
   * An exception escaping a function the library runs as the zone's
   * operation (a handler, a composed operation's step, a coroutine's
   * resumption through a propagating executor, an @ref resource's `run` or
   * wrapper returning void), or a child zone's that has no handler of its
   * own, is caught and `handler(std::current_exception())` called on that
   * thread, in the context the function ran in (so it can log with the
   * request's variables); then the function counts as returned and the
   * thread goes on with its other work. What the rest of the zone started
   * goes on: nothing is cancelled unless the handler calls @ref cancel.
   * An exception `handler` throws goes to the next enclosing zone with a
   * handler, and out of the run (out of `io_context::run()`) when there is
   * none. Without a handler in the zone or its parents, exceptions
   * propagate as they do without zones. (A function run through a
   * propagating executor is called inside a catch-all that rethrows what
   * no zone takes, zones or not: the exception leaves `io_context::run()`
   * as before, but the handler's frames have unwound by then, so the core
   * of a program that does not catch it shows the rethrow, not the throw.)
   *
   * Not routed: exceptions that code the library does not run throws (a
   * handler on a plain executor, `f` in @ref run), and those a coroutine
   * catches for its own completion handler (a `co_spawn`ed coroutine's
   * exception goes to its token, as in Asio).
   *
   * Replaces the previous handler; an empty function removes it.
   */
  void on_error(std::function<void(std::exception_ptr)> handler) const
  {
    BOOST_ASYNC_LOCAL_ASSERT(state_);
    std::shared_ptr<std::function<void(std::exception_ptr)>> h;
    if (handler)
      h = std::make_shared<std::function<void(std::exception_ptr)>>(
          std::move(handler));
    std::lock_guard<std::recursive_mutex> lock(state_->mutex);
    state_->on_error = std::move(h);
  }

  /// Counts and times of the zone's runs so far (see @ref zone_stats).
  zone_stats stats() const noexcept
  {
    zone_stats st;
    if (!state_)
      return st;
    st.handlers_run = state_->handlers.load(std::memory_order_relaxed);
    st.busy = std::chrono::nanoseconds(
        state_->busy_ns.load(std::memory_order_relaxed));
    st.pending = state_->pending.load(std::memory_order_acquire);
    std::int64_t const idle = state_->idle_ns.load(std::memory_order_relaxed);
    if (st.pending != 0)
      st.wall = std::chrono::duration_cast<std::chrono::nanoseconds>(
          clock_type::now() - state_->created);
    else if (idle >= 0)
      st.wall = std::chrono::nanoseconds(idle);
    return st;
  }

  /// Emits cancellation of `type` to the zone's pending operations that
  /// can be cancelled, its children's included, and marks it cancelled.
  /**
   * Cancellable: an operation whose handler or token is bound by
   * @ref bind_snapshot or wrapped by an @ref resource while the zone is
   * bound, when the target has no cancellation slot of its own: Asio's
   * timers, sockets and composed operations then complete with
   * `operation_aborted`, and a coroutine `co_spawn`ed with such a token
   * sees the cancellation at its current or next `co_await`. Not
   * cancellable: operations whose handlers carry their own cancellation
   * slot (a coroutine's `co_await`, which its own cancellation state
   * governs), handlers not bound, and operations that support no
   * per-operation cancellation. Work started after the cancellation is not
   * cancelled: test @ref cancelled before starting it.
   *
   * @par Thread safety
   * As with Asio's `cancellation_signal::emit`, call it where the zone's
   * operations run: in a handler of the one thread that runs them, or of
   * their strand. The deadline's timer does so on the zone's executor.
   */
  void cancel(detail::net::cancellation_type type =
      detail::net::cancellation_type::terminal) const noexcept
  {
    if (state_)
      state_->cancel(type);
  }

  /// True once @ref cancel has been called on the zone or a parent, or its
  /// deadline has passed.
  bool cancelled() const noexcept
  {
    for (detail::zone_state const* z = state_.get(); z; z = z->parent.get())
      if (z->cancelled.load(std::memory_order_relaxed))
        return true;
    return false;
  }

  /// Sets the zone's deadline: when it passes while work is pending, the
  /// zone is cancelled (`cancellation_type::terminal`; see @ref cancel).
  /**
   * The timer runs on the zone's executor, and only while work is
   * pending, so that it never keeps `io_context::run()` from returning.
   * A child zone's deadline is the earliest of its own and its parents'.
   *
   * @throws std::logic_error when the zone has no executor (made without
   * one, in no zone that has one).
   */
  void expires_at(clock_type::time_point t) const
  {
    BOOST_ASYNC_LOCAL_ASSERT(state_);
    if (!state_->executor)
      throw std::logic_error("boost::async_local::zone: a deadline needs "
          "a zone made with an executor");
    std::lock_guard<std::recursive_mutex> lock(state_->mutex);
    state_->deadline.store(t.time_since_epoch().count(),
        std::memory_order_relaxed);
    state_->disarm_locked();
    if (state_->pending.load(std::memory_order_acquire) != 0)
      state_->arm_locked();
  }

  /// Sets the deadline `d` from now (see @ref expires_at).
  void expires_after(clock_type::duration d) const
  {
    expires_at(clock_type::now() + d);
  }

  /// The deadline in force: the earliest of the zone's and its parents',
  /// or none. Readable from any handler through `zone::current()`, to pass
  /// the time left to a downstream call.
  std::optional<clock_type::time_point> deadline() const noexcept
  {
    if (!state_)
      return std::nullopt;
    auto const d = state_->effective_deadline();
    if (d == std::numeric_limits<clock_type::rep>::max())
      return std::nullopt;
    return clock_type::time_point(clock_type::duration(d));
  }

  /// Two handles to one zone compare equal.
  friend bool operator==(zone const& a, zone const& b) noexcept
  {
    return a.state_ == b.state_;
  }

  friend bool operator!=(zone const& a, zone const& b) noexcept
  {
    return a.state_ != b.state_;
  }

private:
#if defined(BOOST_ASYNC_LOCAL_STANDALONE_ASIO)
  using error_code = std::error_code;
#else
  using error_code = boost::system::error_code;
#endif

  BOOST_ASYNC_LOCAL_NOINLINE static std::shared_ptr<detail::zone_state> make(
      std::string_view name,
      std::optional<detail::net::any_io_executor> ex)
  {
    // Under suppress_flow, no parent: the new zone is not the request's.
    detail::node const* const n = detail::current();
    auto parent = detail::flow_suppressed(n) ? nullptr : current().state_;
    return std::make_shared<detail::zone_state>(std::string(name),
        std::move(parent), std::move(ex));
  }

  // The caller's context with `z` and the zones inside it left: the
  // binding goes back to z's parent. A capture: empty while propagation is
  // off or the flow suppressed, as snapshot::current() is.
  BOOST_ASYNC_LOCAL_NOINLINE static snapshot outside(
      detail::zone_state const& z)
  {
    detail::node* const n = detail::current();
    if (!detail::enabled() || detail::flow_suppressed(n))
      return snapshot();
    for (detail::zone_state* c = detail::zone_of(n); c; c = c->parent.get())
      if (c == &z)
      {
        detail::node* left = z.parent
          ? detail::make_node<detail::zone_binding>(n, detail::zone_key,
              detail::zone_binding{z.parent})
          : detail::make_node<detail::no_value>(n, detail::zone_key);
        return detail::access::construct<snapshot>(left);
      }
    return snapshot::current();
  }

  template <class Handler>
  struct idle_waiter final : detail::idle_waiter
  {
    using work_type = std::decay_t<decltype(detail::net::prefer(
        detail::net::get_associated_executor(std::declval<Handler&>()),
        detail::net::execution::outstanding_work.tracked))>;

    explicit idle_waiter(Handler&& h)
      : handler(std::move(h)),
        work(detail::net::prefer(
            detail::net::get_associated_executor(handler),
            detail::net::execution::outstanding_work.tracked))
    {
    }

    void complete(bool aborted) noexcept override
    {
      std::unique_ptr<idle_waiter> self(this);
      error_code ec;
      if (aborted)
        ec = detail::net::error::operation_aborted;
      try
      {
        detail::net::post(work,
            detail::net::append(std::move(handler), ec));
      }
      catch (...)
      {
        // No memory to submit the handler: it is destroyed unrun.
      }
    }

    Handler handler;
    work_type work;
  };

  // Cancels a wait through its handler's slot.
  struct wait_cancellation
  {
    std::weak_ptr<detail::zone_state> zone;
    std::uint64_t serial;

    void operator()(detail::net::cancellation_type type) const
    {
      if (type == detail::net::cancellation_type::none)
        return;
      auto z = zone.lock();
      if (!z)
        return;
      std::unique_ptr<detail::idle_waiter> w;
      {
        std::lock_guard<std::recursive_mutex> lock(z->mutex);
        auto& ws = z->waiters;
        for (auto it = ws.begin(); it != ws.end(); ++it)
          if ((*it)->serial == serial)
          {
            w = std::move(*it);
            ws.erase(it);
            break;
          }
      }
      if (w)
        w.release()->complete(true);
    }
  };

  struct wait_idle_initiation
  {
    std::shared_ptr<detail::zone_state> state;

    template <class Handler>
    void operator()(Handler&& handler) const
    {
      using bound = snapshot_binder<std::decay_t<Handler>>;
      auto slot = detail::net::get_associated_cancellation_slot(handler);
      auto w = std::make_unique<idle_waiter<bound>>(bound(
          outside(*state), std::forward<Handler>(handler)));
      std::lock_guard<std::recursive_mutex> lock(state->mutex);
      w->serial = ++state->next_serial;
      if (slot.is_connected())
        slot.template emplace<wait_cancellation>(
            wait_cancellation{state, w->serial});
      if (state->pending.load(std::memory_order_acquire) == 0)
        w.release()->complete(false);
      else
        state->waiters.push_back(std::move(w));
    }
  };

  std::shared_ptr<detail::zone_state> state_;
};

} // namespace async_local
} // namespace boost

#endif // BOOST_ASYNC_LOCAL_ZONE_HPP
