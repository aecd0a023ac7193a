//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_ASYNC_LOCAL_DETAIL_OPERATION_HPP
#define BOOST_ASYNC_LOCAL_DETAIL_OPERATION_HPP

// The machinery behind hooks.hpp: the list of installed hooks, the record of
// an operation while a hook is installed, and the thread's execution ids.
//
// Nothing here costs a hop while no hook is installed: the library tests one
// global pointer (installed_hooks) where it would make a record, and makes
// none. A capture or a submitted function then holds a context node, as it
// always did. Once a hook is installed, each operation gets a record (an
// id, its trigger's id, and a reference to the context it runs in), and what
// holds the operation holds the record instead, tagged in the low bits of
// the same word. The last reference to a record reports destroy.

#include <boost/async_local/detail/block_cache.hpp>
#include <boost/async_local/detail/config.hpp>
#include <boost/async_local/detail/context.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <new>
#include <thread>
#include <utility>
#include <vector>

namespace boost {
namespace async_local {

/// Identifies an asynchronous operation while hooks are installed; 0 is none.
using async_id = std::uint64_t;

struct async_hooks;

namespace detail {

// An immutable list of hooks. Readers announce themselves in `active` and
// then check that the list is still the installed one; a writer that
// replaces a list waits for its readers to leave before saying a hook is
// gone. Lists are never freed (a reader may still be about to announce
// itself on a replaced one), only reused once nobody reads them.
struct hook_list
{
  std::atomic<std::size_t> active{0};
  std::vector<async_hooks*> hooks;
};

BOOST_ASYNC_LOCAL_SYMBOL_VISIBLE inline std::atomic<hook_list*>
  installed_hooks{nullptr};

// The one test the hot path makes.
inline bool hooks_installed() noexcept
{
  return installed_hooks.load(std::memory_order_relaxed) != nullptr;
}

// The hook lists this thread is calling into, innermost first, so that a
// hook may uninstall itself or another without waiting for itself.
struct hook_frame
{
  hook_list* list;
  hook_frame* next;
};

BOOST_ASYNC_LOCAL_SYMBOL_VISIBLE inline thread_local hook_frame*
  hook_frames = nullptr;

template <class F>
void call_hooks(F const& f) noexcept
{
  hook_list* l = installed_hooks.load();
  while (l)
  {
    l->active.fetch_add(1);
    hook_list* const again = installed_hooks.load();
    if (again == l)
      break;
    l->active.fetch_sub(1, std::memory_order_release);
    l = again;
  }
  if (!l)
    return;
  hook_frame frame{l, hook_frames};
  hook_frames = &frame;
  for (async_hooks* h : l->hooks)
    f(*h);
  hook_frames = frame.next;
  l->active.fetch_sub(1, std::memory_order_release);
}

// Writers (install and uninstall) take turns; readers never wait for them.
struct hook_registry
{
  std::mutex mutex;
  std::vector<std::unique_ptr<hook_list>> lists;

  static hook_registry& get()
  {
    // Never destroyed: operations destroyed during static destruction
    // still look for hooks.
    static hook_registry* r = new hook_registry;
    return *r;
  }

  // Publishes `hooks` (or no list when empty) and returns the list it
  // replaces. The caller holds the mutex.
  hook_list* publish(std::vector<async_hooks*> hooks)
  {
    hook_list* const old = installed_hooks.load();
    hook_list* next = nullptr;
    if (!hooks.empty())
    {
      for (auto const& l : lists)
        if (l.get() != old && l->active.load() == 0)
        {
          next = l.get();
          break;
        }
      if (!next)
      {
        lists.push_back(std::make_unique<hook_list>());
        next = lists.back().get();
      }
      next->hooks = std::move(hooks);
    }
    installed_hooks.store(next);
    return old;
  }

  // Waits until no thread but this one calls into `l`.
  static void drain(hook_list* l) noexcept
  {
    if (!l)
      return;
    for (;;)
    {
      std::size_t mine = 0;
      for (hook_frame* f = hook_frames; f; f = f->next)
        mine += f->list == l;
      if (l->active.load(std::memory_order_acquire) == mine)
        return;
      std::this_thread::yield();
    }
  }
};

BOOST_ASYNC_LOCAL_SYMBOL_VISIBLE inline std::atomic<async_id>
  async_id_counter{0};

inline async_id next_async_id() noexcept
{
  return async_id_counter.fetch_add(1, std::memory_order_relaxed) + 1;
}

// What runs on this thread now: set around each run of an operation's
// handler, and inside a resource's run().
struct execution
{
  async_id id;
  async_id trigger;
};

BOOST_ASYNC_LOCAL_SYMBOL_VISIBLE inline thread_local execution
  current_execution{0, 0};

// An operation while hooks are installed. Aligned so that the low three
// bits of its address are free for tags.
struct alignas(8) operation
{
  std::atomic<std::size_t> refs;
  node* context;  // one reference
  async_id id;
  async_id trigger;
};

// Defined in hooks.hpp, where async_hooks is complete.
inline void report_init(operation const& op, char const* type) noexcept;
inline void report_destroy(async_id id) noexcept;

// Makes the record for a new operation running in `owned` (a reference it
// takes over), triggered by whatever runs now, and reports init. Returns
// null, leaving `owned` with the caller, if memory is exhausted: the
// operation then goes unreported rather than failing.
inline operation* make_operation(node* owned, char const* type,
    async_id id = 0) noexcept
{
  void* mem;
  try
  {
    mem = block_cache::allocate(sizeof(operation));
  }
  catch (...)
  {
    return nullptr;
  }
  operation* op = ::new (mem) operation;
  op->refs.store(1, std::memory_order_relaxed);
  op->context = owned;
  op->id = id ? id : next_async_id();
  op->trigger = current_execution.id;
  report_init(*op, type);
  return op;
}

inline void add_ref(operation* op) noexcept
{
  increment(op->refs);
}

inline void release(operation* op) noexcept
{
  if (op && drop(op->refs))
  {
    report_destroy(op->id);
    node* const context = op->context;
    op->~operation();
    block_cache::deallocate(op, sizeof(operation));
    release(context);
  }
}

// What a submitted function holds: a context node, or, while hooks are
// installed, the record of its operation (tagged with the low bit).
class ticket
{
public:
  ticket() noexcept = default;

  explicit ticket(node* owned) noexcept
    : bits_(reinterpret_cast<std::uintptr_t>(owned))
  {
  }

  explicit ticket(operation* owned) noexcept
    : bits_(reinterpret_cast<std::uintptr_t>(owned) | 1u)
  {
  }

  ticket(ticket const& other) noexcept
    : bits_(other.bits_)
  {
    if (operation* op = other.op())
      add_ref(op);
    else
      add_ref(other.context());
  }

  ticket(ticket&& other) noexcept
    : bits_(std::exchange(other.bits_, 0))
  {
  }

  ticket& operator=(ticket) = delete;

  ~ticket()
  {
    if (operation* op = this->op())
      release(op);
    else
      release(context());
  }

  operation* op() const noexcept
  {
    return (bits_ & 1u) ? reinterpret_cast<operation*>(bits_ - 1) : nullptr;
  }

  node* context() const noexcept
  {
    return (bits_ & 1u) ? nullptr : reinterpret_cast<node*>(bits_);
  }

  std::uintptr_t take() noexcept
  {
    return std::exchange(bits_, 0);
  }

private:
  std::uintptr_t bits_ = 0;
};

// Runs a region as one run of `op`'s handler: its context installed, its ids
// current, between before and after (after also when the region throws).
// Takes over one reference to `op`.
class operation_scope
{
public:
  explicit operation_scope(operation* owned) noexcept;

  operation_scope(operation_scope const&) = delete;
  operation_scope& operator=(operation_scope const&) = delete;

  ~operation_scope();

private:
  struct holder
  {
    operation* op;
    ~holder() { release(op); }
  };

  holder op_;  // released last, after the context has gone
  scope context_;
  execution saved_;
};

// Runs `f` in what `t` holds.
template <class F>
void run_ticket(ticket& t, F& f)
{
  std::uintptr_t const bits = t.take();
  if (bits & 1u)
  {
    operation_scope s(reinterpret_cast<operation*>(bits - 1));
    f();
  }
  else
  {
    scope s(reinterpret_cast<node*>(bits));
    f();
  }
}

} // namespace detail
} // namespace async_local
} // namespace boost

#include <boost/async_local/hooks.hpp>

#endif // BOOST_ASYNC_LOCAL_DETAIL_OPERATION_HPP
