//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_ASYNC_LOCAL_DETAIL_ZONE_HPP
#define BOOST_ASYNC_LOCAL_DETAIL_ZONE_HPP

// The machinery behind zone.hpp.
//
// A zone is a binding (its state, under zone_key) and one hook shared by all
// zones, installed when the first zone is made and kept for the rest of the
// program, that wants records of operations in zones only: so until a zone
// is made nothing changes, and afterwards work outside every zone makes no
// record: an operation captured from the current context tests the
// context's zone flag with its flow flag (capture_current in capture.hpp,
// no test more than a program without zones makes), one whose handler is
// bound to a snapshot tests the recording global and then that flag
// (records() in operation.hpp). The hook finds an operation's zone in the
// context its record holds (reported_operation), counts it pending from
// init to destroy in the zone and every enclosing one, and times its runs
// between before and after. The zone's error handler is reached through
// zone_error_router from the run of an operation (operation.hpp).

#include <boost/async_local/detail/asio_config.hpp>
#include <boost/async_local/detail/context.hpp>
#include <boost/async_local/detail/operation.hpp>
#include <boost/async_local/hooks.hpp>

#if defined(BOOST_ASYNC_LOCAL_STANDALONE_ASIO)
# include <asio/any_io_executor.hpp>
# include <asio/associated_cancellation_slot.hpp>
# include <asio/cancellation_signal.hpp>
# include <asio/cancellation_type.hpp>
# include <asio/steady_timer.hpp>
#else
# include <boost/asio/any_io_executor.hpp>
# include <boost/asio/associated_cancellation_slot.hpp>
# include <boost/asio/cancellation_signal.hpp>
# include <boost/asio/cancellation_type.hpp>
# include <boost/asio/steady_timer.hpp>
#endif

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace boost {
namespace async_local {
namespace detail {

struct zone_state;

// The value a zone's binding holds.
struct zone_binding
{
  std::shared_ptr<zone_state> state;
};

inline zone_state* zone_of(node const* n) noexcept
{
  if (!n)
    return nullptr;
  auto const* b = static_cast<zone_binding const*>(find(n, zone_key));
  return b ? b->state.get() : nullptr;
}

// A cancellation signal a zone hands out as the cancellation slot of a
// bound handler (zone_cancellation below); listed in its zone, which it
// keeps alive: the handler holds the entry alone, one pointer, so that a
// binder outside zones moves and dies as cheaply as it can.
struct zone_cancel_entry
{
  net::cancellation_signal signal;
  zone_cancel_entry* prev = nullptr;
  zone_cancel_entry* next = nullptr;
  std::shared_ptr<zone_state> zone;
};

// A handler waiting for its zone to be idle.
struct idle_waiter
{
  virtual ~idle_waiter() = default;
  // Submits the handler with `aborted` (the wait was cancelled) or not,
  // through its associated executor, and destroys this.
  virtual void complete(bool aborted) noexcept = 0;
  std::uint64_t serial = 0;
};

using clock = std::chrono::steady_clock;

// The number of zone states that exist: while none does, a bound handler
// asks for no zone's cancellation slot.
BOOST_ASYNC_LOCAL_SYMBOL_VISIBLE inline std::atomic<std::size_t>
  zones_alive{0};

BOOST_ASYNC_LOCAL_SYMBOL_VISIBLE inline void install_zone_hooks_once();

// What is not on a hop is out of line here, for the same reason as
// zone_hooks' callbacks.
struct zone_state : std::enable_shared_from_this<zone_state>
{
  BOOST_ASYNC_LOCAL_NOINLINE zone_state(std::string n,
      std::shared_ptr<zone_state> p,
      std::optional<net::any_io_executor> ex)
    : name(std::move(n)),
      parent(std::move(p)),
      executor(std::move(ex)),
      created(clock::now())
  {
    if (!executor && parent)
      executor = parent->executor;
    install_zone_hooks_once();
    if (parent)
    {
      std::lock_guard<std::recursive_mutex> lock(parent->mutex);
      parent->children.push_back(this);
    }
    zones_alive.fetch_add(1, std::memory_order_relaxed);
  }

  zone_state(zone_state const&) = delete;
  zone_state& operator=(zone_state const&) = delete;

  BOOST_ASYNC_LOCAL_NOINLINE ~zone_state()
  {
    if (parent)
    {
      std::lock_guard<std::recursive_mutex> lock(parent->mutex);
      auto& c = parent->children;
      c.erase(std::remove(c.begin(), c.end(), this), c.end());
    }
    zones_alive.fetch_sub(1, std::memory_order_relaxed);
  }

  std::string const name;
  std::shared_ptr<zone_state> const parent;
  std::optional<net::any_io_executor> executor;
  clock::time_point const created;

  std::atomic<std::size_t> pending{0};
  std::atomic<std::uint64_t> handlers{0};
  std::atomic<std::int64_t> busy_ns{0};
  // When the zone last became idle, from its creation (-1: not since
  // creation).
  std::atomic<std::int64_t> idle_ns{-1};
  std::atomic<bool> cancelled{false};
  // The zone's own deadline, in the steady clock's ticks (max: none).
  std::atomic<clock::rep> deadline{std::numeric_limits<clock::rep>::max()};

  // Guards what follows. Recursive: emitting a cancellation may lead back
  // into the zone on this thread.
  mutable std::recursive_mutex mutex;
  std::shared_ptr<std::function<void(std::exception_ptr)>> on_error;
  std::vector<std::unique_ptr<idle_waiter>> waiters;
  std::uint64_t next_serial = 0;
  zone_cancel_entry* cancels = nullptr;
  bool emitting = false;
  std::vector<zone_cancel_entry*> released_while_emitting;
  std::vector<zone_state*> children;
  std::weak_ptr<net::steady_timer> timer;

  // The deadline in force: the earliest of this zone's and its parents'.
  clock::rep effective_deadline() const noexcept
  {
    clock::rep d = deadline.load(std::memory_order_relaxed);
    for (zone_state const* p = parent.get(); p; p = p->parent.get())
      d = std::min(d, p->deadline.load(std::memory_order_relaxed));
    return d;
  }

  void add_pending() noexcept
  {
    for (zone_state* z = this; z; z = z->parent.get())
      if (z->pending.fetch_add(1, std::memory_order_acq_rel) == 0)
        z->became_busy();
  }

  void remove_pending() noexcept
  {
    for (zone_state* z = this; z; z = z->parent.get())
      if (z->pending.fetch_sub(1, std::memory_order_acq_rel) == 1)
        z->became_idle();
  }

  BOOST_ASYNC_LOCAL_NOINLINE void became_busy() noexcept
  {
    std::lock_guard<std::recursive_mutex> lock(mutex);
    if (pending.load(std::memory_order_acquire) != 0)
      arm_locked();
  }

  BOOST_ASYNC_LOCAL_NOINLINE void became_idle() noexcept
  {
    std::vector<std::unique_ptr<idle_waiter>> done;
    {
      std::lock_guard<std::recursive_mutex> lock(mutex);
      // Work may have started again meanwhile: then this is not the end.
      if (pending.load(std::memory_order_acquire) != 0)
        return;
      idle_ns.store(std::chrono::duration_cast<std::chrono::nanoseconds>(
            clock::now() - created).count(), std::memory_order_relaxed);
      disarm_locked();
      done.swap(waiters);
    }
    for (auto& w : done)
      w.release()->complete(false);
  }

  // Starts the deadline's timer while work is pending and none runs.
  // The timer's wait belongs to no zone (so it is never this zone's pending
  // work), and is cancelled when the zone becomes idle, so that it does
  // not keep io_context::run() from returning.
  BOOST_ASYNC_LOCAL_NOINLINE void arm_locked() noexcept
  {
    clock::rep const d = deadline.load(std::memory_order_relaxed);
    if (!executor || d == std::numeric_limits<clock::rep>::max()
        || !timer.expired())
      return;
    try
    {
      auto t = std::make_shared<net::steady_timer>(*executor,
          clock::time_point(clock::duration(d)));
      std::weak_ptr<zone_state> self = weak_from_this();
      scope outside(nullptr);
      t->async_wait([t, self](auto const& ec)
          {
            if (!ec)
              if (auto z = self.lock())
                z->cancel(net::cancellation_type::terminal);
          });
      timer = t;
    }
    catch (...)
    {
      // No memory for the timer: the deadline is not enforced (it is still
      // readable), rather than failing an unrelated operation's start.
    }
  }

  BOOST_ASYNC_LOCAL_NOINLINE void disarm_locked() noexcept
  {
    if (auto t = timer.lock())
      t->cancel();
    timer.reset();
  }

  // Emits `type` on every cancellation slot the zone and its children have
  // handed out. On the calling thread: see zone::cancel.
  BOOST_ASYNC_LOCAL_NOINLINE void cancel(net::cancellation_type type) noexcept
  {
    std::lock_guard<std::recursive_mutex> lock(mutex);
    cancelled.store(true, std::memory_order_relaxed);
    std::vector<zone_cancel_entry*> entries;
    try
    {
      for (zone_cancel_entry* e = cancels; e; e = e->next)
        entries.push_back(e);
    }
    catch (...)
    {
      entries.clear();  // no memory: emit while walking the list instead
      for (zone_cancel_entry* e = cancels; e; e = e->next)
        e->signal.emit(type);
    }
    bool const outer = !emitting;
    emitting = true;
    for (zone_cancel_entry* e : entries)
      e->signal.emit(type);
    if (outer)
    {
      emitting = false;
      for (zone_cancel_entry* e : released_while_emitting)
        delete e;
      released_while_emitting.clear();
    }
    for (zone_state* c : children)
      c->cancel(type);
  }

  BOOST_ASYNC_LOCAL_NOINLINE zone_cancel_entry* new_cancel_entry()
  {
    auto* e = new zone_cancel_entry;
    std::lock_guard<std::recursive_mutex> lock(mutex);
    e->next = cancels;
    if (cancels)
      cancels->prev = e;
    cancels = e;
    return e;
  }

  BOOST_ASYNC_LOCAL_NOINLINE void release_cancel_entry(
      zone_cancel_entry* e) noexcept
  {
    std::lock_guard<std::recursive_mutex> lock(mutex);
    (e->prev ? e->prev->next : cancels) = e->next;
    if (e->next)
      e->next->prev = e->prev;
    if (emitting)
    {
      // The emitting loop may still reach it: freed when the loop ends.
      try
      {
        released_while_emitting.push_back(e);
        return;
      }
      catch (...)
      {
        // Leaked rather than freed under the loop.
        return;
      }
    }
    delete e;
  }
};

// The slot handed out for a bound handler in a zone: a signal of the
// zone's, held for as long as the handler (and so the operation it ends)
// exists, and given back when the handler runs.
class zone_cancellation
{
public:
  zone_cancellation() noexcept = default;

  zone_cancellation(zone_cancellation const&) noexcept
  {
    // A copy is another handler: it asks for a slot of its own.
  }

  zone_cancellation(zone_cancellation&& other) noexcept
    : entry_(std::exchange(other.entry_, nullptr))
  {
  }

  zone_cancellation& operator=(zone_cancellation const&) = delete;

  ~zone_cancellation()
  {
    reset();
  }

  // The slot for a handler running in `n`: its zone's, made on first use;
  // an unconnected slot outside zones, or when memory is exhausted.
  net::cancellation_slot slot(node const* n) const noexcept
  {
    try
    {
      return make_slot(n);
    }
    catch (...)
    {
      return net::cancellation_slot();
    }
  }

  // The operation is over (its handler runs) or gone.
  void reset() noexcept
  {
    if (entry_)
      release(std::exchange(entry_, nullptr));
  }

private:
  BOOST_ASYNC_LOCAL_NOINLINE net::cancellation_slot make_slot(
      node const* n) const
  {
    if (!entry_)
    {
      if (zones_alive.load(std::memory_order_relaxed) == 0)
        return net::cancellation_slot();
      zone_state* const z = zone_of(n);
      if (!z)
        return net::cancellation_slot();
      std::shared_ptr<zone_state> keep = z->shared_from_this();
      entry_ = z->new_cancel_entry();
      entry_->zone = std::move(keep);
    }
    return entry_->signal.slot();
  }

  // Whatever the operation left in the slot is destroyed with the signal;
  // an operation clears it before completing. The zone outlives the entry's
  // release: it may free the entry, which held it.
  BOOST_ASYNC_LOCAL_NOINLINE static void release(
      zone_cancel_entry* e) noexcept
  {
    std::shared_ptr<zone_state> const z = std::move(e->zone);
    z->release_cancel_entry(e);
  }

  mutable zone_cancel_entry* entry_ = nullptr;
};

// The cancellation slot association of a binder (snapshot_binder,
// resource_binder) over T: T's; when T has none (an unconnected slot of
// Asio's type), the zone's the binder runs in, if any
// (Binder::zone_cancellation_slot).
template <class Binder, class T, class CancellationSlot>
struct zone_slot_association
{
  using target_slot = net::associated_cancellation_slot<T, CancellationSlot>;
  using type = typename target_slot::type;

  static type get(Binder const& b,
      CancellationSlot const& s = CancellationSlot()) noexcept
  {
    type slot = target_slot::get(b.get(), s);
    if constexpr (std::is_same<type, net::cancellation_slot>::value)
      if (!slot.is_connected())
        return b.zone_cancellation_slot();
    return slot;
  }
};

// Per thread: the zones whose operation runs now, to time the runs. A run
// inside a run of the same zone (a dispatch) is counted, not timed again.
struct zone_run
{
  zone_state* zone;
  clock::time_point start;
  bool timed;
};

BOOST_ASYNC_LOCAL_SYMBOL_VISIBLE inline std::vector<zone_run>& zone_runs()
    noexcept
{
  static thread_local std::vector<zone_run> runs;
  return runs;
}

// The hook all zones share. Its callbacks are out of line: seeing a final
// override of async_hooks, GCC devirtualizes the hooks' calls speculatively
// and inlines these into them, and the growth cost the hop of a program
// that never makes a zone its inlining (416 instructions a hop became 470).
struct zone_hooks final : async_hooks
{
  static zone_state* zone() noexcept
  {
    operation const* const op = reported_operation;
    return op ? zone_of(op->context) : nullptr;
  }

  BOOST_ASYNC_LOCAL_NOINLINE void init(async_id, async_id, char const*) noexcept override
  {
    if (zone_state* z = zone())
      z->add_pending();
  }

  BOOST_ASYNC_LOCAL_NOINLINE void destroy(async_id) noexcept override
  {
    if (zone_state* z = zone())
      z->remove_pending();
  }

  BOOST_ASYNC_LOCAL_NOINLINE void before(async_id) noexcept override
  {
    zone_state* const z = zone();
    if (!z)
      return;
    std::vector<zone_run>& runs = zone_runs();
    try
    {
      bool const nested = std::any_of(runs.begin(), runs.end(),
          [z](zone_run const& r) { return r.zone == z; });
      runs.push_back(zone_run{z, clock::now(), !nested});
    }
    catch (...)
    {
      return;  // no memory: this run is neither counted nor timed
    }
    for (zone_state* a = z; a; a = a->parent.get())
      a->handlers.fetch_add(1, std::memory_order_relaxed);
  }

  BOOST_ASYNC_LOCAL_NOINLINE void after(async_id) noexcept override
  {
    zone_state* const z = zone();
    std::vector<zone_run>& runs = zone_runs();
    if (!z || runs.empty() || runs.back().zone != z)
      return;
    zone_run const r = runs.back();
    runs.pop_back();
    if (!r.timed)
      return;
    auto const ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
        clock::now() - r.start).count();
    for (zone_state* a = z; a; a = a->parent.get())
      a->busy_ns.fetch_add(ns, std::memory_order_relaxed);
  }

  BOOST_ASYNC_LOCAL_SYMBOL_VISIBLE static zone_hooks& get() noexcept
  {
    // Never destroyed: it may be called until the last zone has gone.
    static zone_hooks* h = new zone_hooks;
    return *h;
  }
};

// Routes an exception to the nearest zone with an error handler, in the
// operation's context; an exception the handler throws goes on to the next
// enclosing zone with one, and out of the run when none is left.
BOOST_ASYNC_LOCAL_NOINLINE inline bool route_to_zone(node* context,
    std::exception_ptr e)
{
  std::exception_ptr current = e;
  for (zone_state* z = zone_of(context); z; z = z->parent.get())
  {
    std::shared_ptr<std::function<void(std::exception_ptr)>> handler;
    {
      std::lock_guard<std::recursive_mutex> lock(z->mutex);
      handler = z->on_error;
    }
    if (!handler)
      continue;
    try
    {
      add_ref(context);
      scope s(context);
      (*handler)(current);
      return true;
    }
    catch (...)
    {
      current = std::current_exception();
    }
  }
  if (current != e)
    std::rethrow_exception(current);
  return false;
}

// Installs the zones' hook when the first zone is made, for the rest of the
// program. Uninstalling it when the last zone goes would have to wait for
// the hook's callers, one of which may be the very thread that drops a zone
// from inside a callback, and installing it again while the old one drains
// would count operations twice.
BOOST_ASYNC_LOCAL_SYMBOL_VISIBLE inline void install_zone_hooks_once()
{
  struct installer
  {
    installer()
      : registration(install_zone_hooks(zone_hooks::get()))
    {
      zone_error_router.store(&route_to_zone, std::memory_order_release);
    }

    hooks_registration registration;
  };
  // Never destroyed (see zone_hooks::get).
  static installer* once = new installer;
  (void)once;
}

} // namespace detail
} // namespace async_local
} // namespace boost

#endif // BOOST_ASYNC_LOCAL_DETAIL_ZONE_HPP
