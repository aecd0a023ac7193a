//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_ASYNC_LOCAL_BIND_HPP
#define BOOST_ASYNC_LOCAL_BIND_HPP

#include <boost/async_local/detail/asio_config.hpp>
#include <boost/async_local/detail/zone.hpp>
#include <boost/async_local/executor.hpp>
#include <boost/async_local/snapshot.hpp>

#if defined(BOOST_ASYNC_LOCAL_STANDALONE_ASIO)
# include <asio/associated_cancellation_slot.hpp>
# include <asio/associated_executor.hpp>
# include <asio/associator.hpp>
# include <asio/async_result.hpp>
# include <asio/bind_executor.hpp>
# include <asio/handler_continuation_hook.hpp>
# if defined(BOOST_ASYNC_LOCAL_HAS_IMMEDIATE_EXECUTOR)
#  include <asio/associated_immediate_executor.hpp>
#  include <asio/bind_immediate_executor.hpp>
# endif
#else
# include <boost/asio/associated_cancellation_slot.hpp>
# include <boost/asio/associated_executor.hpp>
# include <boost/asio/associator.hpp>
# include <boost/asio/async_result.hpp>
# include <boost/asio/bind_executor.hpp>
# include <boost/asio/handler_continuation_hook.hpp>
# if defined(BOOST_ASYNC_LOCAL_HAS_IMMEDIATE_EXECUTOR)
#  include <boost/asio/associated_immediate_executor.hpp>
#  include <boost/asio/bind_immediate_executor.hpp>
# endif
#endif

#include <memory>
#include <type_traits>
#include <utility>

// The coroutine tokens, named without including their headers (which need
// coroutine support, or Boost.Context): see detail::suspends_caller.
BOOST_ASYNC_LOCAL_ASIO_BEGIN
template <typename Executor>
struct use_awaitable_t;
template <typename Executor>
class basic_yield_context;
BOOST_ASYNC_LOCAL_ASIO_END

namespace boost {
namespace async_local {

/// A handler or completion token bound to a snapshot; made by
/// @ref bind_snapshot.
/**
 * As a handler, it calls the target inside the bound snapshot. As a
 * completion token, it makes the operation's handler such a handler, so the
 * completion runs in the snapshot whichever executor runs it.
 *
 * @par Associations
 * - Associated executor: the target's associated executor, wrapped in a
 *   @ref propagating_executor that carries the bound snapshot. So every
 *   function Asio runs through it runs in the snapshot: the completion, each
 *   intermediate handler of a composed operation (`async_compose`,
 *   `async_read`, `async_write`, Beast's `http::async_read`, ...), which Asio
 *   runs through the final handler's associated executor. Where the target's
 *   executor is already a propagating one (or a strand of one), the result
 *   is that executor with its capture replaced, not a second wrapper.
 * - Associated immediate executor (Asio 1.28, Boost 1.82, and later): the
 *   target's, wrapped the same way, so an operation that completes inside
 *   its initiating function runs in the snapshot too.
 * - Allocator, cancellation slot and every other association: the target's,
 *   unchanged.
 *
 * Two associated executors of binders compare equal when they wrap equal
 * executors and were bound to the same snapshot (the same capture, not equal
 * values).
 */
template <class T>
class snapshot_binder
{
public:
  /// The type of the bound handler or token.
  using target_type = T;

  /// Binds `t` to `s`.
  template <class U>
  snapshot_binder(async_local::snapshot s, U&& t)
    : snapshot_(std::move(s)),
      target_(std::forward<U>(t))
  {
  }

  /// Converts from a binder of a convertible target.
  template <class U, class = std::enable_if_t<
      std::is_constructible<T, U const&>::value>>
  snapshot_binder(snapshot_binder<U> const& other)
    : snapshot_(other.get_snapshot()),
      target_(other.get())
  {
  }

  template <class U, class = std::enable_if_t<
      std::is_constructible<T, U&&>::value>>
  snapshot_binder(snapshot_binder<U>&& other)
    : snapshot_(std::move(other).get_snapshot()),
      target_(std::move(other).get())
  {
  }

  snapshot_binder(snapshot_binder const&) = default;
  snapshot_binder(snapshot_binder&&) = default;

  /// The bound handler or token.
  target_type& get() & noexcept { return target_; }
  target_type const& get() const& noexcept { return target_; }
  target_type&& get() && noexcept { return std::move(target_); }

  /// The snapshot the target runs in.
  async_local::snapshot const& get_snapshot() const& noexcept
  {
    return snapshot_;
  }

  async_local::snapshot&& get_snapshot() && noexcept
  {
    return std::move(snapshot_);
  }

  /// Calls the target inside the bound snapshot; for a one-shot handler the
  /// snapshot moves into the thread's slot instead of being copied.
  template <class... Args>
  decltype(auto) operator()(Args&&... args) &&
  {
    cancellation_.reset();
    detail::scope s(detail::access::release_node(snapshot_));
    return std::move(target_)(std::forward<Args>(args)...);
  }

  template <class... Args>
  decltype(auto) operator()(Args&&... args) &
  {
    return snapshot_.run(target_, std::forward<Args>(args)...);
  }

  template <class... Args>
  decltype(auto) operator()(Args&&... args) const&
  {
    return snapshot_.run(target_, std::forward<Args>(args)...);
  }

  // Asio asks whether a handler continues the current one (and so may be
  // queued cheaply); the answer is the target's.
  friend bool asio_handler_is_continuation(snapshot_binder* self)
  {
    using detail::net::asio_handler_is_continuation;
    return asio_handler_is_continuation(std::addressof(self->target_));
  }

  /// The cancellation slot of the operation this handler ends, when the
  /// target has none: while the snapshot is in a @ref zone, one the zone
  /// emits on (see zone::cancel), held until the handler runs or is
  /// destroyed; otherwise an unconnected slot. Asio's operations ask for it
  /// through `get_associated_cancellation_slot`.
  detail::net::cancellation_slot zone_cancellation_slot() const noexcept
  {
    return cancellation_.slot(detail::access::get_node(snapshot_));
  }

private:
  async_local::snapshot snapshot_;
  T target_;
  detail::zone_cancellation cancellation_;
};

/// Binds a handler or completion token to the current context.
/**
 * Equivalent to `bind_snapshot(snapshot::current(), t)`.
 *
 * @code
 * timer.async_wait(boost::async_local::bind_snapshot(
 *     [](boost::system::error_code) { use(request_id.get()); }));
 * co_await timer.async_wait(
 *     boost::async_local::bind_snapshot(asio::use_awaitable));
 * @endcode
 */
template <class T>
[[nodiscard]] snapshot_binder<std::decay_t<T>> bind_snapshot(
    T&& handler_or_token)
{
  return snapshot_binder<std::decay_t<T>>(snapshot::current(),
      std::forward<T>(handler_or_token));
}

/// Binds a handler or completion token to `s`.
/**
 * The handler (for a token: the handler the operation makes from it) runs in
 * `s` whichever executor runs it, and so does the operation's initiation and
 * every intermediate handler of a composed operation it is given to. A bound
 * snapshot wins over a propagating executor's capture.
 *
 * @par Cost
 * One snapshot copy (an atomic increment unless empty) at bind time. As a
 * handler called once, the snapshot moves into the thread's slot. As a token,
 * the initiation runs in a scope holding one more reference and the
 * snapshot moves into the handler. Each step Asio runs through the
 * associated executor takes one more reference while it is pending (an
 * atomic increment and decrement unless the snapshot is empty) and installs
 * the snapshot around the step. No allocation.
 */
template <class T>
[[nodiscard]] snapshot_binder<std::decay_t<T>> bind_snapshot(snapshot s,
    T&& handler_or_token)
{
  return snapshot_binder<std::decay_t<T>>(std::move(s),
      std::forward<T>(handler_or_token));
}

namespace detail {

// Forwards the initiation's executor, for the tokens that ask an initiation
// for it (experimental::use_promise does).
template <class Derived, class Initiation, class = void>
struct initiation_executor {};

template <class Derived, class Initiation>
struct initiation_executor<Derived, Initiation,
    std::void_t<typename Initiation::executor_type>>
{
  using executor_type = typename Initiation::executor_type;

  executor_type get_executor() const noexcept
  {
    return static_cast<Derived const&>(*this).initiation().get_executor();
  }
};

// Tokens whose initiating function suspends the calling coroutine:
// use_awaitable and yield_context, alone or inside a one-argument adapter
// (as_tuple, redirect_error). For these Asio calls the initiation after the
// coroutine has suspended, on the thread that was running it, and that
// thread goes back to its scheduler next.
template <class T>
struct suspends_caller : std::false_type {};

template <class Executor>
struct suspends_caller<net::use_awaitable_t<Executor>> : std::true_type {};

template <class Executor>
struct suspends_caller<net::basic_yield_context<Executor>> : std::true_type {};

template <template <class> class Adapter, class T>
struct suspends_caller<Adapter<T>> : suspends_caller<T> {};

// Wraps an initiation so that it runs in the snapshot and receives a bound
// handler.
//
// When the token suspends the caller (see suspends_caller), the thread is
// left with the empty context once the initiation returns: what the slot
// holds then is the suspended coroutine's context, and had it stayed, the
// handlers the thread runs next, and the thread itself after
// io_context::run() returns, would see the coroutine's bindings (a guard
// the coroutine holds across the wait, or a run() around it). The coroutine
// gets its context back from the bound handler that resumes it. If the
// initiation throws, the coroutine resumes at once on this thread, so the
// slot is left alone.
template <class Initiation, bool SuspendsCaller = false>
class snapshot_initiation
  : public initiation_executor<snapshot_initiation<Initiation, SuspendsCaller>,
      Initiation>
{
public:
  template <class I>
  snapshot_initiation(snapshot s, I&& i)
    : snapshot_(std::move(s)),
      initiation_(std::forward<I>(i))
  {
  }

  Initiation const& initiation() const noexcept
  {
    return initiation_;
  }

  // Called once: the snapshot moves into the handler, and the initiation
  // runs in a scope holding one more reference.
  template <class Handler, class... Args>
  void operator()(Handler&& handler, Args&&... args) &&
  {
    {
      detail::node* n = detail::access::get_node(snapshot_);
      detail::add_ref(n);
      detail::scope s(n);
      std::move(initiation_)(
          snapshot_binder<std::decay_t<Handler>>(std::move(snapshot_),
            std::forward<Handler>(handler)),
          std::forward<Args>(args)...);
    }
    leave_suspended_coroutine();
  }

  template <class Handler, class... Args>
  void operator()(Handler&& handler, Args&&... args) const&
  {
    snapshot_.run(initiation_,
        snapshot_binder<std::decay_t<Handler>>(snapshot_,
          std::forward<Handler>(handler)),
        std::forward<Args>(args)...);
    leave_suspended_coroutine();
  }

private:
  static void leave_suspended_coroutine() noexcept
  {
    if constexpr (SuspendsCaller)
      detail::leave_region(nullptr, true);
  }

  snapshot snapshot_;
  Initiation initiation_;
};

// The legacy async_result interface (a constructor from the handler and
// get()), where the target's async_result has it. Asio's own binders
// (executor_binder and the others, from Asio 1.30) construct the target's
// async_result this way whenever it names a completion_handler_type, so
// without it they do not compose around a snapshot_binder.
template <class TargetResult, class = void>
class snapshot_binder_completion_handler_async_result
{
public:
  template <class T>
  explicit snapshot_binder_completion_handler_async_result(T&)
  {
  }
};

template <class TargetResult>
class snapshot_binder_completion_handler_async_result<TargetResult,
    std::void_t<typename TargetResult::completion_handler_type>>
{
public:
  using completion_handler_type =
    snapshot_binder<typename TargetResult::completion_handler_type>;

  explicit snapshot_binder_completion_handler_async_result(
      typename TargetResult::completion_handler_type& handler)
    : target_(handler)
  {
  }

  auto get() -> decltype(std::declval<TargetResult&>().get())
  {
    return target_.get();
  }

private:
  TargetResult target_;
};

template <class TargetResult, class = void>
struct snapshot_binder_return_type {};

template <class TargetResult>
struct snapshot_binder_return_type<TargetResult,
    std::void_t<typename TargetResult::return_type>>
{
  using return_type = typename TargetResult::return_type;
};

// A token used once (an rvalue) gives its snapshot up; others share it.
template <class RawToken, class Binder>
snapshot token_snapshot(Binder& token)
{
  if constexpr (!std::is_reference<RawToken>::value
      && !std::is_const<RawToken>::value)
    return std::move(token).get_snapshot();
  else
    return token.get_snapshot();
}

template <class Token, class Target>
using copy_const_t = std::conditional_t<
    std::is_const<std::remove_reference_t<Token>>::value,
    Target const, Target>;

// The executor a bound handler's functions run through: `Executor` (the
// target's association) made to run every function in the bound snapshot.
// A propagating executor, or a strand of one, gets its capture replaced
// rather than a second wrapper.
template <class Executor>
struct snapshot_executor
{
  using type = async_local::propagating_executor<Executor>;

  static type make(Executor const& e, snapshot const& s) noexcept(
      std::is_nothrow_copy_constructible<Executor>::value)
  {
    return access::construct<type>(e, capture::of(s));
  }
};

template <class Executor>
struct snapshot_executor<async_local::propagating_executor<Executor>>
{
  using type = async_local::propagating_executor<Executor>;

  static type make(type const& e, snapshot const& s) noexcept(
      std::is_nothrow_copy_constructible<Executor>::value)
  {
    return access::construct<type>(e.get_inner_executor(), capture::of(s));
  }
};

template <class Executor>
struct snapshot_executor<
    net::strand<async_local::propagating_executor<Executor>>>
{
  using type = net::strand<async_local::propagating_executor<Executor>>;

  static type make(type const& e, snapshot const& s) noexcept
  {
    return access::with_capture(e, capture::of(s));
  }
};

} // namespace detail
} // namespace async_local
} // namespace boost

BOOST_ASYNC_LOCAL_ASIO_BEGIN

// Asio's async_initiate takes the token as an lvalue of the type named in
// its template argument list and moves from it unless that type is const.
template <class T, class... Signatures>
class async_result<::boost::async_local::snapshot_binder<T>, Signatures...>
  : public ::boost::async_local::detail::
      snapshot_binder_completion_handler_async_result<
        async_result<T, Signatures...>>,
    public ::boost::async_local::detail::snapshot_binder_return_type<
      async_result<T, Signatures...>>
{
  using base_type = ::boost::async_local::detail::
    snapshot_binder_completion_handler_async_result<
      async_result<T, Signatures...>>;

public:
  /// The legacy interface: the target's result, for the bound handler.
  explicit async_result(::boost::async_local::snapshot_binder<T>& b)
    : base_type(b.get())
  {
  }

  template <class Initiation, class RawToken, class... Args>
  static auto initiate(Initiation&& initiation, RawToken&& token,
      Args&&... args)
    -> decltype(async_initiate<
          ::boost::async_local::detail::copy_const_t<RawToken, T>,
          Signatures...>(
        std::declval<::boost::async_local::detail::snapshot_initiation<
          std::decay_t<Initiation>,
          ::boost::async_local::detail::suspends_caller<T>::value>>(),
        token.get(), std::forward<Args>(args)...))
  {
    return async_initiate<
        ::boost::async_local::detail::copy_const_t<RawToken, T>,
        Signatures...>(
      ::boost::async_local::detail::snapshot_initiation<
        std::decay_t<Initiation>,
        ::boost::async_local::detail::suspends_caller<T>::value>(
          ::boost::async_local::detail::token_snapshot<RawToken>(token),
          std::forward<Initiation>(initiation)),
      token.get(), std::forward<Args>(args)...);
  }

private:
  async_result(async_result const&) = delete;
  async_result& operator=(async_result const&) = delete;
};

// Every association but the executors: the target's.
template <template <class, class> class Associator, class T,
    class DefaultCandidate>
struct associator<Associator, ::boost::async_local::snapshot_binder<T>,
    DefaultCandidate>
  : Associator<T, DefaultCandidate>
{
  static typename Associator<T, DefaultCandidate>::type get(
      ::boost::async_local::snapshot_binder<T> const& b) noexcept
  {
    return Associator<T, DefaultCandidate>::get(b.get());
  }

  static auto get(::boost::async_local::snapshot_binder<T> const& b,
      DefaultCandidate const& c) noexcept
    -> decltype(Associator<T, DefaultCandidate>::get(b.get(), c))
  {
    return Associator<T, DefaultCandidate>::get(b.get(), c);
  }
};

// The cancellation slot: the target's, or the zone's (see there).
template <class T, class CancellationSlot>
struct associated_cancellation_slot<::boost::async_local::snapshot_binder<T>,
    CancellationSlot>
  : ::boost::async_local::detail::zone_slot_association<
      ::boost::async_local::snapshot_binder<T>, T, CancellationSlot>
{
};

// The executor: the target's, running every function in the snapshot.
template <class T, class Executor>
struct associated_executor<::boost::async_local::snapshot_binder<T>,
    Executor>
{
  using target_executor = associated_executor_t<T, Executor>;
  using maker =
    ::boost::async_local::detail::snapshot_executor<target_executor>;
  using type = typename maker::type;

  static type get(::boost::async_local::snapshot_binder<T> const& b,
      Executor const& e = Executor()) noexcept
  {
    return maker::make(associated_executor<T, Executor>::get(b.get(), e),
        b.get_snapshot());
  }
};

// bind_executor(ex, al::bind_snapshot(h)): the handler runs through `ex`,
// and in the snapshot, so that the intermediate steps of a composed operation keep it
// whichever way round the two binders are nested.
template <class T, class BoundExecutor, class Executor>
struct associated_executor<
    executor_binder<::boost::async_local::snapshot_binder<T>, BoundExecutor>,
    Executor>
{
  using maker =
    ::boost::async_local::detail::snapshot_executor<BoundExecutor>;
  using type = typename maker::type;

  static type get(executor_binder<::boost::async_local::snapshot_binder<T>,
        BoundExecutor> const& b,
      Executor const& = Executor()) noexcept
  {
    return maker::make(b.get_executor(), b.get().get_snapshot());
  }
};

#if defined(BOOST_ASYNC_LOCAL_HAS_IMMEDIATE_EXECUTOR)

// The immediate executor: the target's, running every function in the
// snapshot. Its default is built from the I/O executor, not the handler's
// executor, so without this an operation that completes inside its
// initiating function would run its step outside the snapshot.
template <class T, class Executor>
struct associated_immediate_executor<
    ::boost::async_local::snapshot_binder<T>, Executor>
{
  using target_executor = associated_immediate_executor_t<T, Executor>;
  using maker =
    ::boost::async_local::detail::snapshot_executor<target_executor>;
  using type = typename maker::type;

  static type get(::boost::async_local::snapshot_binder<T> const& b,
      Executor const& e) noexcept
  {
    return maker::make(
        associated_immediate_executor<T, Executor>::get(b.get(), e),
        b.get_snapshot());
  }
};

template <class T, class BoundExecutor, class Executor>
struct associated_immediate_executor<
    immediate_executor_binder<::boost::async_local::snapshot_binder<T>,
      BoundExecutor>,
    Executor>
{
  using maker =
    ::boost::async_local::detail::snapshot_executor<BoundExecutor>;
  using type = typename maker::type;

  static type get(immediate_executor_binder<
        ::boost::async_local::snapshot_binder<T>, BoundExecutor> const& b,
      Executor const& = Executor()) noexcept
  {
    return maker::make(b.get_immediate_executor(), b.get().get_snapshot());
  }
};

#endif // defined(BOOST_ASYNC_LOCAL_HAS_IMMEDIATE_EXECUTOR)

BOOST_ASYNC_LOCAL_ASIO_END

#endif // BOOST_ASYNC_LOCAL_BIND_HPP
