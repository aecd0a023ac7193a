//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_ASYNC_LOCAL_EXECUTOR_HPP
#define BOOST_ASYNC_LOCAL_EXECUTOR_HPP

#include <boost/async_local/detail/capture.hpp>
#include <boost/async_local/snapshot.hpp>

#include <boost/async_local/detail/asio_config.hpp>

#if defined(BOOST_ASYNC_LOCAL_STANDALONE_ASIO)
# include <asio/execution/executor.hpp>
# include <asio/execution/outstanding_work.hpp>
# include <asio/execution/prefer_only.hpp>
# include <asio/execution_context.hpp>
# include <asio/is_executor.hpp>
# include <asio/prefer.hpp>
# include <asio/query.hpp>
# include <asio/require.hpp>
#else
# include <boost/asio/execution/executor.hpp>
# include <boost/asio/execution/outstanding_work.hpp>
# include <boost/asio/execution/prefer_only.hpp>
# include <boost/asio/execution_context.hpp>
# include <boost/asio/is_executor.hpp>
# include <boost/asio/prefer.hpp>
# include <boost/asio/query.hpp>
# include <boost/asio/require.hpp>
#endif

#include <type_traits>
#include <utility>

namespace boost {
namespace async_local {

namespace detail {

// Asio asks for tracked work inside every initiating function; through
// any_io_executor the property arrives wrapped in prefer_only.
template <class P>
struct is_tracked : std::is_same<P,
    detail::net::execution::outstanding_work_t::tracked_t> {};

template <class P>
struct is_tracked<detail::net::execution::prefer_only<P>> : is_tracked<P> {};

template <class P>
struct is_untracked : std::is_same<P,
    detail::net::execution::outstanding_work_t::untracked_t> {};

template <class P>
struct is_untracked<detail::net::execution::prefer_only<P>>
  : is_untracked<P> {};

// The base of every propagating executor (and of the strand that behaves as
// one). Constructors that wrap an executor exclude it, so that asking whether
// an executor<E> is copyable never asks whether E can be made from it (which,
// for a type-erased E, would ask whether executor<E> is an executor: a cycle).
struct propagating_executor_base {};

} // namespace detail

/// An executor adapter that makes completions run in the initiator's context.
/**
 * Wrap an executor once and every I/O object, strand and coroutine made from
 * it propagates async-local context:
 *
 * @code
 * boost::asio::io_context ioc;
 * auto ex = boost::async_local::make_executor(ioc.get_executor());
 * boost::asio::steady_timer timer(ex);   // or tcp::socket, strand, co_spawn...
 * @endcode
 *
 * @par Semantics
 * - A function submitted with `execute` (what `post`, `dispatch` and `defer`
 *   do) runs in the context current at the call.
 * - An asynchronous operation asks its I/O executor (and its handler's
 *   executor) for `execution::outstanding_work.tracked` inside its initiating
 *   function. The tracked executor this adapter returns carries a capture of
 *   the context current at that moment, and every function it executes later
 *   (the completion handler, and each intermediate handler of a composed
 *   operation) runs in that captured context.
 * - Whatever a function binds and does not undo is discarded when it returns
 *   or throws: no binding leaks into the next handler.
 * - `query`, `require` and `prefer` are forwarded to the inner executor; the
 *   results are wrapped again and keep the capture, except that
 *   `outstanding_work.untracked` drops it.
 * - Two adapters are equal when their inner executors are equal and they
 *   carry the same capture (or neither carries one).
 *
 * A handler bound with @ref bind runs in its bound snapshot, which wins over
 * the executor's capture.
 *
 * @note An executor that carries a capture (one obtained by preferring
 * `outstanding_work.tracked`) runs every function in that capture, not in
 * the caller's context, and keeps the captured values alive while it lives.
 *
 * @note `net::make_strand(ex)` with `ex` an `al::executor` gives a strand that
 * propagates (see the strand specialisation). A strand made from a
 * type-erased executor, `net::make_strand(any_io_executor(ex))`, is Asio's
 * plain strand and runs a batch of functions in one context: wrap it instead,
 * `al::make_executor(net::make_strand(any))`.
 *
 * @par Thread safety
 * Distinct objects: safe. Shared objects: safe for const use.
 *
 * @par Cost
 * One word on top of the inner executor. Executing captures a pointer: no
 * allocation, and at most one atomic increment and one atomic decrement per
 * function when the context is not empty (the increment is a plain store
 * when the caller's thread holds the only reference; the decrement is a
 * plain load when the function holds the last one). The empty context costs
 * a null check.
 */
template <class Executor>
class executor : detail::propagating_executor_base
{
public:
  /// The type of the wrapped executor.
  using inner_executor_type = Executor;

  /// Wraps `inner` (anything `Executor` can be made from, other than a
  /// propagating executor). The result carries no capture.
  template <class Inner, class = std::enable_if_t<std::conjunction<
      std::negation<std::is_base_of<detail::propagating_executor_base,
        std::decay_t<Inner>>>,
      std::is_constructible<Executor, Inner&&>>::value>>
  explicit executor(Inner&& inner) noexcept(
      std::is_nothrow_constructible<Executor, Inner&&>::value)
    : inner_(std::forward<Inner>(inner))
  {
  }

  /// Converts from an adapter of a convertible executor, keeping the capture.
  template <class OtherExecutor, class = std::enable_if_t<
      std::is_convertible<OtherExecutor const&, Executor>::value>>
  executor(executor<OtherExecutor> const& other) noexcept(
      std::is_nothrow_constructible<Executor, OtherExecutor const&>::value)
    : inner_(other.get_inner_executor()),
      capture_(other.capture_)
  {
  }

  executor(executor const&) = default;
  executor(executor&&) = default;
  executor& operator=(executor const&) = default;
  executor& operator=(executor&&) = default;

  /// The wrapped executor.
  inner_executor_type const& get_inner_executor() const noexcept
  {
    return inner_;
  }

  /// True when this executor carries a context captured at initiation.
  bool has_captured_context() const noexcept
  {
    return capture_.has_value();
  }

  /// The context functions run in: the captured one, or the current one.
  async_local::snapshot context_snapshot() const noexcept
  {
    return async_local::snapshot(capture_.acquire());
  }

  /// Forwards to the inner executor's `running_in_this_thread()`, if any.
  template <class E = Executor>
  auto running_in_this_thread() const noexcept
    -> decltype(std::declval<E const&>().running_in_this_thread())
  {
    return inner_.running_in_this_thread();
  }

  /// Submits `f` to the inner executor, to run in this executor's context.
  template <class F>
  void execute(F&& f) const&
  {
    inner_.execute(detail::context_function<std::decay_t<F>>(
        std::forward<F>(f), capture_.acquire()));
  }

  /// Submits `f`, moving this executor's capture into it.
  template <class F>
  void execute(F&& f) &&
  {
    inner_.execute(detail::context_function<std::decay_t<F>>(
        std::forward<F>(f), std::move(capture_).acquire()));
  }

  /// Forwards a query to the inner executor.
  template <class Property, class = std::enable_if_t<
      detail::net::can_query<Executor const&, Property>::value>>
  decltype(auto) query(Property const& p) const noexcept(
      detail::net::is_nothrow_query<Executor const&, Property>::value)
  {
    return detail::net::query(inner_, p);
  }

  /// Forwards a requirement; requiring tracked work captures the context.
  template <class Property, class = std::enable_if_t<
      detail::net::can_require<Executor const&, Property>::value>>
  auto require(Property const& p) const&
  {
    return rewrap(detail::net::require(inner_, p),
        captured_for<Property>(capture_));
  }

  template <class Property, class = std::enable_if_t<
      detail::net::can_require<Executor const&, Property>::value>>
  auto require(Property const& p) &&
  {
    return rewrap(detail::net::require(inner_, p),
        captured_for<Property>(std::move(capture_)));
  }

  /// Forwards a preference; preferring tracked work captures the context.
  template <class Property, class = std::enable_if_t<
      detail::net::can_prefer<Executor const&, Property>::value>>
  auto prefer(Property const& p) const&
  {
    return rewrap(detail::net::prefer(inner_, p),
        captured_for<Property>(capture_));
  }

  template <class Property, class = std::enable_if_t<
      detail::net::can_prefer<Executor const&, Property>::value>>
  auto prefer(Property const& p) &&
  {
    return rewrap(detail::net::prefer(inner_, p),
        captured_for<Property>(std::move(capture_)));
  }

  friend bool operator==(executor const& a, executor const& b) noexcept
  {
    return a.capture_.bits() == b.capture_.bits() && a.inner_ == b.inner_;
  }

  friend bool operator!=(executor const& a, executor const& b) noexcept
  {
    return !(a == b);
  }

#if !defined(GENERATING_DOCUMENTATION)
  executor(Executor inner, detail::capture c) noexcept(
      std::is_nothrow_move_constructible<Executor>::value)
    : inner_(std::move(inner)),
      capture_(std::move(c))
  {
  }

  detail::capture const& get_capture() const noexcept
  {
    return capture_;
  }
#endif

private:
  template <class> friend class executor;

  // Tracked work captures the current context (unless it already carries
  // one); untracked work is nobody's operation, so it carries none.
  template <class Property, class C>
  static detail::capture captured_for(C&& c) noexcept
  {
    if constexpr (detail::is_tracked<Property>::value)
      return std::forward<C>(c).or_current();
    else if constexpr (detail::is_untracked<Property>::value)
      return detail::capture();
    else
      return std::forward<C>(c);
  }

  template <class Inner>
  static executor<std::decay_t<Inner>> rewrap(Inner&& inner,
      detail::capture c)
  {
    return executor<std::decay_t<Inner>>(std::forward<Inner>(inner),
        std::move(c));
  }

  Executor inner_;
  detail::capture capture_;
};

/// Wraps `inner` in a propagating @ref executor.
template <class Executor, class = std::enable_if_t<
    detail::net::execution::is_executor<Executor>::value>>
executor<Executor> make_executor(Executor const& inner)
{
  return executor<Executor>(inner);
}

/// Wraps `ctx.get_executor()` in a propagating @ref executor.
template <class ExecutionContext, class = std::enable_if_t<
    std::is_convertible<ExecutionContext&,
      detail::net::execution_context&>::value>>
executor<typename ExecutionContext::executor_type>
make_executor(ExecutionContext& ctx)
{
  return executor<typename ExecutionContext::executor_type>(
      ctx.get_executor());
}

} // namespace async_local
} // namespace boost

#include <boost/async_local/impl/strand.hpp>

#endif // BOOST_ASYNC_LOCAL_EXECUTOR_HPP
