//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_ASYNC_LOCAL_RESTORE_GUARD_HPP
#define BOOST_ASYNC_LOCAL_RESTORE_GUARD_HPP

#include <boost/async_local/detail/access.hpp>
#include <boost/async_local/detail/context.hpp>

#include <utility>

namespace boost {
namespace async_local {

/// Undoes a binding made by `variable<T>::set` when destroyed.
/**
 * On destruction, if the binding the guard made is still the thread's current
 * context, the context it replaced becomes current again. Otherwise (the
 * guard outlived the handler that made it, or is destroyed on another thread,
 * or out of order) the guard only lets go of what it holds and leaves the
 * thread's context alone: a guard never clobbers a context it did not make.
 *
 * A guard may live across `co_await`: the coroutine resumes in the context
 * captured when it suspended, which is the guard's binding, so destroying the
 * guard after resumption restores as expected.
 *
 * A binding that @ref variable::disable replaced (by the same context
 * without the disabled variable) still counts as the guard's own.
 *
 * Destroy guards in the reverse order of their creation, as scopes would
 * be. Destroyed out of order, a guard whose binding is not current only lets
 * go of its references; the later guard then restores the earlier binding,
 * which stays current until the enclosing handler's scope ends (on a
 * propagating executor, when the handler returns) or, outside any handler,
 * until the thread exits, when the library releases whatever the thread
 * still has bound.
 *
 * @par Thread safety
 * Distinct objects: safe. Shared objects: unsafe.
 */
class [[nodiscard]] restore_guard
{
public:
  /// Constructs a guard that does nothing.
  restore_guard() noexcept = default;

  restore_guard(restore_guard&& other) noexcept
    : previous_(std::exchange(other.previous_, nullptr)),
      installed_(std::exchange(other.installed_, nullptr))
  {
  }

  restore_guard& operator=(restore_guard&& other) noexcept
  {
    restore_guard(std::move(other)).swap(*this);
    return *this;
  }

  restore_guard(restore_guard const&) = delete;
  restore_guard& operator=(restore_guard const&) = delete;

  ~restore_guard()
  {
    restore();
  }

  /// Restores now, as the destructor would. Afterwards the guard is empty.
  void restore() noexcept
  {
    detail::node* const installed = std::exchange(installed_, nullptr);
    detail::node* const previous = std::exchange(previous_, nullptr);
    if (!installed)
      return;
    detail::node* const current = detail::current_node;
    if (current == installed || detail::stands_for(current) == installed)
    {
      // Our binding, or what variable::disable made of it, is current: the
      // slot's reference goes, and so does ours.
      detail::leave_region(previous, false);
    }
    else
    {
      detail::release(previous);
    }
    detail::release(installed);
  }

  /// True when the guard still has a binding to undo.
  bool active() const noexcept
  {
    return installed_ != nullptr;
  }

private:
  friend struct detail::access;

  // Installs `owned` (one reference, taken over) as the current context.
  explicit restore_guard(detail::node* owned) noexcept
    : previous_(detail::current_node),
      installed_(owned)
  {
    // The guard keeps its own reference to what it installed, so that the
    // identity test in restore() cannot be fooled by a recycled address.
    detail::add_ref(owned);
    detail::current_node = owned;
    detail::register_slot_cleanup();
    detail::changed(previous_, owned, false);
  }

  void swap(restore_guard& other) noexcept
  {
    std::swap(previous_, other.previous_);
    std::swap(installed_, other.installed_);
  }

  detail::node* previous_ = nullptr;   // owned: moved out of the slot
  detail::node* installed_ = nullptr;  // owned: our own reference
};

} // namespace async_local
} // namespace boost

#endif // BOOST_ASYNC_LOCAL_RESTORE_GUARD_HPP
