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
// the same word. A record is counted as a node is; the last reference to it
// reports destroy.

#include <boost/async_local/detail/block_cache.hpp>
#include <boost/async_local/detail/config.hpp>
#include <boost/async_local/detail/context.hpp>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <exception>
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

// A list of hooks, published whole. Readers announce themselves in
// `active` and then check that the list is still the installed one. An
// uninstalled hook's entry is cleared in every list a reader may still be
// walking (so a reader that has not reached it skips it), and the writer
// waits for the readers of those lists to leave before saying the hook is
// gone. Lists are never freed (a reader may still be about to announce
// itself on a replaced one), only reused once nobody reads them.
struct hook_list
{
  std::atomic<std::size_t> active{0};
  // Uninstallers still waiting for this list's readers: it is not reused
  // for a new list until they are done.
  std::atomic<std::size_t> draining{0};
  std::vector<std::atomic<async_hooks*>> hooks;
};

// Set by zone.hpp when the first zone is made: routes an exception escaping
// a function run as an operation in `context` to its zone's error handler.
// Returns false when no zone of the context has one; throws what the error
// handlers throw.
BOOST_ASYNC_LOCAL_SYMBOL_VISIBLE inline std::atomic<bool (*)(node*,
    std::exception_ptr)> zone_error_router{nullptr};

BOOST_ASYNC_LOCAL_SYMBOL_VISIBLE inline std::atomic<hook_list*>
  installed_hooks{nullptr};

// Which new operations get a record, published with the list: none (no
// hook installed), those in a zone (the only hooks installed are the
// zones', zone.hpp), or all. A word of its own, so that a test reads one
// global and, only while zones alone are recording, one field of a context
// it already holds. The capture of the current context for a new operation
// (capture_current, capture.hpp) tests the context's zone flag first,
// together with its flow flag, and reads this only to ask whether every
// operation is wanted.
enum : unsigned char
{
  record_none = 0,
  record_zoned = 1,
  record_all = 2
};

BOOST_ASYNC_LOCAL_SYMBOL_VISIBLE inline std::atomic<unsigned char>
  recording{record_none};

// Operations are recorded only while a hook is installed; with
// BOOST_ASYNC_LOCAL_NO_HOOKS or BOOST_ASYNC_LOCAL_DISABLE never (hooks then
// see only resources, which make their records themselves), and the hop
// makes no test at all.
#if defined(BOOST_ASYNC_LOCAL_NO_HOOKS) || defined(BOOST_ASYNC_LOCAL_DISABLE)
constexpr bool records_operations = false;
#else
constexpr bool records_operations = true;
#endif

// The one test the hot path makes.
inline bool hooks_installed() noexcept
{
  return records_operations
    && installed_hooks.load(std::memory_order_relaxed) != nullptr;
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

// Calls f(hook) for each installed hook. A reader announces itself in the
// list's count and then checks that the list is still the installed one
// (sequentially consistent, so that a writer that has replaced it either
// sees the count or is seen to have replaced it). In a process that has
// only ever had one thread no writer can run meanwhile, and the count is
// kept with plain loads and stores (see detail::single_threaded).
template <class F>
void call_hooks(F const& f) noexcept
{
  hook_list* l = installed_hooks.load();
  if (!l)
    return;
  if (single_threaded())
  {
    l->active.store(l->active.load(std::memory_order_relaxed) + 1,
        std::memory_order_relaxed);
  }
  else
  {
    for (;;)
    {
      l->active.fetch_add(1);
      hook_list* const again = installed_hooks.load();
      if (again == l)
        break;
      l->active.fetch_sub(1, std::memory_order_release);
      if (!again)
        return;
      l = again;
    }
  }
  hook_frame frame{l, hook_frames};
  hook_frames = &frame;
  for (auto& entry : l->hooks)
    if (async_hooks* h = entry.load(std::memory_order_relaxed))
      f(*h);
  hook_frames = frame.next;
  if (single_threaded())
    l->active.store(l->active.load(std::memory_order_relaxed) - 1,
        std::memory_order_relaxed);
  else
    l->active.fetch_sub(1, std::memory_order_release);
}

// Writers (install and uninstall) take turns; readers never wait for them.
struct hook_registry
{
  std::mutex mutex;
  std::vector<async_hooks*> installed;  // in installation order
  std::vector<bool> records_all;        // per installed hook
  std::vector<std::unique_ptr<hook_list>> lists;

  // One registry for the whole program, shared libraries with hidden
  // visibility included (see BOOST_ASYNC_LOCAL_SYMBOL_VISIBLE): each must
  // publish into the one installed_hooks from the one list of hooks.
  // Never destroyed: operations destroyed during static destruction still
  // look for hooks.
  BOOST_ASYNC_LOCAL_SYMBOL_VISIBLE static hook_registry& get()
  {
    static hook_registry* r = new hook_registry;
    return *r;
  }

  // Adds `h`; `all`: it wants a record of every operation, not only of
  // those in a zone. The caller holds the mutex.
  void add(async_hooks& h, bool all)
  {
    installed.push_back(&h);
    try
    {
      records_all.push_back(all);
      publish();
    }
    catch (...)
    {
      records_all.resize(installed.size() - 1);
      installed.pop_back();
      throw;
    }
  }

  // Removes one installation of `h`, clears it from every list a reader may
  // still walk, and returns them, marked as draining: the caller waits for
  // their readers once it has let go of the mutex (drain), then unmarks
  // them. Terminates if memory is exhausted (removal must not fail, and
  // uninstalling is noexcept).
  std::vector<hook_list*> remove(async_hooks& h) noexcept
  {
    auto const it = std::find(installed.rbegin(), installed.rend(), &h);
    BOOST_ASYNC_LOCAL_ASSERT(it != installed.rend());
    records_all.erase(records_all.begin()
        + (std::next(it).base() - installed.begin()));
    installed.erase(std::next(it).base());
    std::vector<hook_list*> walked;
    for (auto const& l : lists)
      for (auto& entry : l->hooks)
        if (entry.load(std::memory_order_relaxed) == &h)
        {
          entry.store(nullptr, std::memory_order_relaxed);
          l->draining.fetch_add(1, std::memory_order_relaxed);
          walked.push_back(l.get());
          break;
        }
    publish();
    return walked;
  }

  // Publishes the installed hooks as a list (none when empty), in a list
  // nobody reads and nobody waits for (a list being drained would keep its
  // uninstaller waiting for the readers of the new contents).
  void publish()
  {
    hook_list* const old = installed_hooks.load();
    hook_list* next = nullptr;
    if (!installed.empty())
    {
      for (auto const& l : lists)
        if (l.get() != old && l->active.load() == 0
            && l->draining.load(std::memory_order_relaxed) == 0)
        {
          next = l.get();
          break;
        }
      if (!next)
      {
        lists.push_back(std::make_unique<hook_list>());
        next = lists.back().get();
      }
      next->hooks = std::vector<std::atomic<async_hooks*>>(installed.size());
      for (std::size_t i = 0; i < installed.size(); ++i)
        next->hooks[i].store(installed[i], std::memory_order_relaxed);
    }
    installed_hooks.store(next);
    recording.store(installed.empty() ? record_none
        : std::find(records_all.begin(), records_all.end(), true)
            != records_all.end() ? record_all : record_zoned);
  }

  // Waits until no other thread calls into `l`, then unmarks it (see
  // remove). From inside a hook callback it does not wait: two threads
  // each waiting inside a callback for the other to leave would wait for
  // ever.
  static void drain(hook_list* l) noexcept
  {
    if (!hook_frames)
      while (l->active.load() != 0)
        std::this_thread::yield();
    l->draining.fetch_sub(1, std::memory_order_relaxed);
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

struct operation;

// The operation whose event the hooks are being told of, on this thread:
// the zones' hook (zone.hpp) reads the context of the operation in init and
// destroy, where no context is installed for it.
BOOST_ASYNC_LOCAL_SYMBOL_VISIBLE inline thread_local operation const*
  reported_operation = nullptr;

// An operation while hooks are installed. To everything that counts
// references it is a node: one with no entries, whose destroy reports the
// operation's end. So captures and tickets copy and release a record as
// they do a context, with no test of which they hold, and only running a
// function (or reading the context to run it in) looks at the tag.
struct operation : node
{
  node* context;  // one reference
  async_id id;
  async_id trigger;
};

// One of the block cache's smallest blocks, as a context node of one value
// is: recycled per thread.
static_assert(sizeof(operation) <= block_cache::granule,
    "an operation's record fits the block cache's first class");

// Defined in hooks.hpp, where async_hooks is complete.
inline void report_init(operation const& op, char const* type) noexcept;
inline void report_before(operation const& op) noexcept;
inline void report_after(operation const& op) noexcept;
inline void report_destroy(operation const& op) noexcept;

// The node's destroy: called when the last reference (refs, then the one
// value reference a node has for itself) has gone.
inline void destroy_operation(node* n) noexcept
{
  operation* const op = static_cast<operation*>(n);
  {
    // Reported with no context and no execution: the last release can come
    // inside any other operation's run. Change callbacks are not told: the
    // release can come anywhere, inside a callback too.
    node* const saved_context = std::exchange(current_node, nullptr);
    execution const saved_execution =
      std::exchange(current_execution, execution{0, 0});
    report_destroy(*op);
    current_execution = saved_execution;
    current_node = saved_context;
  }
  node* const context = op->context;
  op->~operation();
  block_cache::deallocate(op, sizeof(operation));
  release(context);
}

// True when `n` is a context inside a zone (its last entry is a zone's,
// marked when the context was made).
inline bool in_zone(node const* n) noexcept
{
  return n && (n->flags & node_zoned);
}

// True when a new operation in `n` is to have a record: a hook that wants
// every operation is installed, or the zones' hook is and `n` is in a
// zone. Inline, so that an operation outside every zone, once a zone has
// installed its hook, costs no call: one global and one field of `n` read.
// For the current context, capture_current (capture.hpp) decides the same
// with no test beyond what a program without zones makes.
// Relaxed: it only filters; make_operation reads the list itself (call_hooks
// loads it sequentially consistent) and copes with finding none.
inline bool records(node const* n) noexcept
{
  if (!records_operations)
    return false;
  unsigned char const mode = recording.load(std::memory_order_relaxed);
  return mode != record_none && (mode == record_all || in_zone(n));
}

// Makes the record for a new operation running in `owned` (a reference it
// takes over), triggered by whatever runs now, and reports init. Returns
// null, leaving `owned` with the caller, if memory is exhausted, or when the
// only hooks installed are the zones' and `owned` is in none (unless
// `always`): the operation then goes unreported rather than failing. Out of
// line, as is all that handles records: the hop that makes none must stay
// as small as it was without them.
BOOST_ASYNC_LOCAL_NOINLINE inline operation* make_operation(node* owned,
    char const* type, bool always = false) noexcept
{
  // Asked again: the hooks may have changed since the caller's test.
  if (!always && !records(owned))
    return nullptr;
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
  op->value_refs.store(1, std::memory_order_relaxed);
  op->destroy = &destroy_operation;
  op->size = 0;
  op->flags = 0;
  op->entries = nullptr;
  op->context = owned;
  op->id = next_async_id();
  op->trigger = current_execution.id;
  report_init(*op, type);
  return op;
}

// What a submitted function holds: a context node, or, while hooks are
// installed, the record of its operation, tagged with the low bit.
class ticket
{
public:
  ticket() noexcept = default;

  explicit ticket(node* owned) noexcept
    : bits_(reinterpret_cast<std::uintptr_t>(owned))
  {
  }

  explicit ticket(operation* owned) noexcept
    : bits_(reinterpret_cast<std::uintptr_t>(static_cast<node*>(owned)) | 1u)
  {
  }

  ticket(ticket const& other) noexcept
    : bits_(other.bits_)
  {
    add_ref(held());
  }

  ticket(ticket&& other) noexcept
    : bits_(std::exchange(other.bits_, 0))
  {
  }

  ticket& operator=(ticket) = delete;

  ~ticket()
  {
    release(held());
  }

  std::uintptr_t take() noexcept
  {
    return std::exchange(bits_, 0);
  }

private:
  node* held() const noexcept
  {
    return reinterpret_cast<node*>(bits_ & ~std::uintptr_t(1));
  }

  std::uintptr_t bits_ = 0;
};

// Entering and leaving one run of an operation's handler: its context
// installed, its ids current, between before and after. Out of line (see
// make_operation).
BOOST_ASYNC_LOCAL_NOINLINE inline void enter_operation(operation* op,
    node*& saved_context, execution& saved_execution) noexcept
{
  add_ref(op->context);
  saved_context = std::exchange(current_node, op->context);
  saved_execution = current_execution;
  current_execution = execution{op->id, op->trigger};
  changed(saved_context, op->context, true);
  report_before(*op);
}

BOOST_ASYNC_LOCAL_NOINLINE inline void leave_operation(operation* owned,
    node* saved_context, execution saved_execution) noexcept
{
  report_after(*owned);
  current_execution = saved_execution;
  leave_region(saved_context, true);
  release(static_cast<node*>(owned));
}

// Routes an exception escaping a run of `op` to its zone (see
// zone_error_router); false when nothing takes it.
BOOST_ASYNC_LOCAL_NOINLINE inline bool route_exception(operation const* op)
{
  bool (*const router)(node*, std::exception_ptr) =
    zone_error_router.load(std::memory_order_acquire);
  return op && router && router(op->context, std::current_exception());
}

// Runs a region in what a ticket held, or as one run of an operation's
// handler (after is reported also when the region throws). Whatever the
// region leaves in the thread's slot is released on exit, and the previous
// context put back. One class for both, so that the function it runs is
// called from one place: called from two, it would no longer be inlined as
// a function called once.
class run_scope
{
public:
  // Takes over what a ticket held.
  explicit run_scope(std::uintptr_t ticket_bits) noexcept
  {
    if (records_operations && (ticket_bits & 1u))
    {
      op_ = static_cast<operation*>(reinterpret_cast<node*>(ticket_bits - 1));
      enter_operation(op_, saved_, saved_execution_);
    }
    else
    {
      op_ = nullptr;
      if constexpr (compiled_in)
      {
        node* const owned = reinterpret_cast<node*>(ticket_bits);
        saved_ = std::exchange(current_node, owned);
        changed(saved_, owned, true);
      }
      else
        saved_ = nullptr;  // tickets hold no context: none is ever made
    }
  }

  // Takes over one reference to `owned`.
  explicit run_scope(operation* owned) noexcept
    : op_(owned)
  {
    enter_operation(op_, saved_, saved_execution_);
  }

  run_scope(run_scope const&) = delete;
  run_scope& operator=(run_scope const&) = delete;

  // Offers the exception in flight to the operation's zone; false when
  // nothing takes it (no record: none can).
  bool route_exception() const
  {
    return op_ && detail::route_exception(op_);
  }

  ~run_scope()
  {
    if (op_)
      leave_operation(op_, saved_, saved_execution_);
    else if constexpr (compiled_in)
      leave_region(saved_, true);
  }

private:
  operation* op_;
  node* saved_;
  execution saved_execution_;
};

// Runs `f` in what `t` holds. An exception escaping a run of an operation
// goes to its zone's error handler, if it has one (zone.hpp), and on
// otherwise. One call site for `f`: called from two, it would no longer be
// inlined as a function called once (55 more instructions a hop).
template <class F>
void run_ticket(ticket& t, F& f)
{
  run_scope s(t.take());
  try
  {
    f();
  }
  catch (...)
  {
    if (!s.route_exception())
      throw;
  }
}

} // namespace detail
} // namespace async_local
} // namespace boost

#include <boost/async_local/hooks.hpp>

#endif // BOOST_ASYNC_LOCAL_DETAIL_OPERATION_HPP
