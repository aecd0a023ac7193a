//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_ASYNC_LOCAL_RESOURCE_HPP
#define BOOST_ASYNC_LOCAL_RESOURCE_HPP

#include <boost/async_local/detail/access.hpp>
#include <boost/async_local/detail/asio_config.hpp>
#include <boost/async_local/detail/zone.hpp>
#include <boost/async_local/hooks.hpp>
#include <boost/async_local/snapshot.hpp>

#if defined(BOOST_ASYNC_LOCAL_STANDALONE_ASIO)
# include <asio/associator.hpp>
# include <asio/handler_continuation_hook.hpp>
#else
# include <boost/asio/associator.hpp>
# include <boost/asio/handler_continuation_hook.hpp>
#endif

#include <functional>
#include <memory>
#include <new>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace boost {
namespace async_local {

template <class T>
class resource_binder;

namespace detail {

// Calls f(args...) as one run of `op` (which keeps its reference).
template <class F, class... Args>
decltype(auto) run_as(operation* op, F&& f, Args&&... args)
{
  BOOST_ASYNC_LOCAL_ASSERT(op);
  add_ref(op);
  run_scope s(op);
  if constexpr (std::is_void<std::invoke_result_t<F, Args...>>::value)
  {
    // A handler's exception goes to the zone's error handler, if it has one
    // (zone.hpp); a result cannot be made up, so other calls propagate.
    try
    {
      std::invoke(std::forward<F>(f), std::forward<Args>(args)...);
    }
    catch (...)
    {
      if (!route_exception(op))
        throw;
    }
  }
  else
    return std::invoke(std::forward<F>(f), std::forward<Args>(args)...);
}

} // namespace detail

/// An asynchronous operation that code outside Asio schedules itself: a job
/// queue, an event emitter, a connection pool. After Node.js's
/// `AsyncResource`.
/**
 * Made where the work is requested, a resource captures the current context
 * and reports `init` to the installed hooks (type "resource:" and its name,
 * trigger the current @ref execution_id). Where the library later calls the
 * requester back, `run(f)` (Node's `runInAsyncScope`) calls `f` in the
 * captured context, as a run of this operation: between `before` and
 * `after`, with @ref execution_id and @ref trigger_id naming it. `wrap(f)`
 * returns a callable that does the same whenever it is called, and keeps
 * `f`'s associated executor, allocator, cancellation slot and every other
 * association, so it can be handed to Asio as a handler.
 *
 * @code
 * struct job { al::resource requester{"job_queue"}; std::function<void()> done; };
 * // ... on a worker thread, when the job is finished:
 * j.requester.run(j.done);   // in the context that queued the job
 * @endcode
 *
 * A resource has an id whether or not a hook is installed. `destroy` is
 * reported when the resource and every callable `wrap` made from it have
 * gone.
 *
 * @par Thread safety
 * Distinct objects: safe. Shared objects: safe for concurrent const use, so
 * `run` may be called on several threads at once.
 *
 * @par Cost
 * Construction allocates a 64-byte record (recycled per thread) and takes
 * a reference to the current context. `run` is two thread-local writes and
 * a context install; each hook call is as described in @ref async_hooks.
 */
class resource
{
public:
  /// Captures the current context as a new operation named `type`.
  /**
   * @throws std::bad_alloc.
   */
  explicit resource(std::string_view type)
  {
    detail::node* const n = detail::acquire_current();
    std::string name;
    if (detail::hooks_installed())
    {
      try
      {
        name.reserve(9 + type.size());
        name.append("resource:").append(type);
      }
      catch (...)
      {
        detail::release(n);
        throw;
      }
    }
    op_ = detail::make_operation(n,
        name.empty() ? "resource" : name.c_str(), true);
    if (!op_)
    {
      detail::release(n);
      throw std::bad_alloc();
    }
  }

  /// Takes over `other`'s operation; `other` is left with none (its id is
  /// 0 and `run` must not be called on it).
  resource(resource&& other) noexcept
    : op_(std::exchange(other.op_, nullptr))
  {
  }

  /// Lets go of this resource's operation (as the destructor does) and
  /// takes over `other`'s.
  resource& operator=(resource&& other) noexcept
  {
    if (this != &other)
      detail::release(std::exchange(op_, std::exchange(other.op_, nullptr)));
    return *this;
  }

  resource(resource const&) = delete;
  resource& operator=(resource const&) = delete;

  /// Lets go of the operation: `destroy` is reported now, or when the last
  /// callable made by `wrap` goes.
  ~resource()
  {
    detail::release(op_);
  }

  /// The operation's id (0 for a moved-from resource).
  async_id id() const noexcept
  {
    return op_ ? op_->id : 0;
  }

  /// The id of the operation that made this resource (0 at top level).
  async_id trigger_id() const noexcept
  {
    return op_ ? op_->trigger : 0;
  }

  /// The context captured at construction.
  async_local::snapshot get_snapshot() const noexcept
  {
    detail::node* const n = op_ ? op_->context : nullptr;
    detail::add_ref(n);
    return detail::access::construct<async_local::snapshot>(n);
  }

  /// Calls `f(args...)` in the captured context, as a run of this
  /// operation; returns what it returns, and lets what it throws through
  /// (`after` is reported either way). Whatever `f` binds and does not undo
  /// is discarded when it returns.
  template <class F, class... Args>
  decltype(auto) run(F&& f, Args&&... args) const
  {
    return detail::run_as(op_, std::forward<F>(f),
        std::forward<Args>(args)...);
  }

  /// A callable that runs `f` as `run` does, each time it is called; it
  /// keeps this operation alive.
  template <class F>
  [[nodiscard]] resource_binder<std::decay_t<F>> wrap(F&& f) const
  {
    BOOST_ASYNC_LOCAL_ASSERT(op_);
    return resource_binder<std::decay_t<F>>(op_, std::forward<F>(f));
  }

private:
  detail::operation* op_;
};

/// A callable that runs its target as a run of a @ref resource; made by
/// @ref resource::wrap.
/**
 * Every association of the target (executor, allocator, cancellation slot,
 * immediate executor) is its own, so it can stand in for the target as an
 * Asio handler.
 */
template <class T>
class resource_binder
{
public:
  /// The wrapped callable.
  using target_type = T;

  resource_binder(resource_binder const& other)
    : op_(other.op_),
      target_(other.target_)
  {
    detail::add_ref(op_);
  }

  resource_binder(resource_binder&& other) noexcept(
      std::is_nothrow_move_constructible<T>::value)
    : op_(nullptr),
      target_(std::move(other.target_)),
      cancellation_(std::move(other.cancellation_))
  {
    // Taken once the target has moved: if that throws, `other` keeps it.
    op_ = std::exchange(other.op_, nullptr);
  }

  resource_binder& operator=(resource_binder const&) = delete;

  ~resource_binder()
  {
    detail::release(op_);
  }

  target_type& get() & noexcept { return target_; }
  target_type const& get() const& noexcept { return target_; }
  target_type&& get() && noexcept { return std::move(target_); }

  /// The id of the resource the target runs as.
  async_id id() const noexcept
  {
    return op_ ? op_->id : 0;
  }

  /// Calls the target as a run of the resource.
  template <class... Args>
  decltype(auto) operator()(Args&&... args) &
  {
    return call(target_, std::forward<Args>(args)...);
  }

  template <class... Args>
  decltype(auto) operator()(Args&&... args) const&
  {
    return call(target_, std::forward<Args>(args)...);
  }

  template <class... Args>
  decltype(auto) operator()(Args&&... args) &&
  {
    cancellation_.reset();
    return call(std::move(target_), std::forward<Args>(args)...);
  }

  /// The cancellation slot of the operation this handler ends, when the
  /// target has none: while the resource is in a @ref zone, one the zone
  /// emits on (see zone::cancel); otherwise an unconnected slot.
  detail::net::cancellation_slot zone_cancellation_slot() const noexcept
  {
    return cancellation_.slot(op_ ? op_->context : nullptr);
  }

  // Asio asks whether a handler continues the current one; the answer is
  // the target's.
  friend bool asio_handler_is_continuation(resource_binder* self)
  {
    using detail::net::asio_handler_is_continuation;
    return asio_handler_is_continuation(std::addressof(self->target_));
  }

private:
  friend class resource;

  template <class U>
  resource_binder(detail::operation* op, U&& target)
    : op_(op),
      target_(std::forward<U>(target))
  {
    // Taken last: if copying the target throws, nothing was counted.
    detail::add_ref(op_);
  }

  template <class F, class... Args>
  decltype(auto) call(F&& f, Args&&... args) const
  {
    return detail::run_as(op_, std::forward<F>(f),
        std::forward<Args>(args)...);
  }

  detail::operation* op_;
  T target_;
  detail::zone_cancellation cancellation_;
};

} // namespace async_local
} // namespace boost

BOOST_ASYNC_LOCAL_ASIO_BEGIN

// Every association is the target's.
template <template <typename, typename> class Associator, class T,
    class DefaultCandidate>
struct associator<Associator, ::boost::async_local::resource_binder<T>,
    DefaultCandidate>
  : Associator<T, DefaultCandidate>
{
  static typename Associator<T, DefaultCandidate>::type get(
      ::boost::async_local::resource_binder<T> const& b) noexcept
  {
    return Associator<T, DefaultCandidate>::get(b.get());
  }

  static auto get(::boost::async_local::resource_binder<T> const& b,
      DefaultCandidate const& c) noexcept
    -> decltype(Associator<T, DefaultCandidate>::get(b.get(), c))
  {
    return Associator<T, DefaultCandidate>::get(b.get(), c);
  }
};

// The cancellation slot: the target's, or the zone's (see there).
template <class T, class CancellationSlot>
struct associated_cancellation_slot<::boost::async_local::resource_binder<T>,
    CancellationSlot>
  : ::boost::async_local::detail::zone_slot_association<
      ::boost::async_local::resource_binder<T>, T, CancellationSlot>
{
};

BOOST_ASYNC_LOCAL_ASIO_END

#endif // BOOST_ASYNC_LOCAL_RESOURCE_HPP
