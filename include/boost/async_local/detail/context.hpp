//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_ASYNC_LOCAL_DETAIL_CONTEXT_HPP
#define BOOST_ASYNC_LOCAL_DETAIL_CONTEXT_HPP

// The context machinery behind variables, snapshots and executors.
//
// A context is an immutable node: a sorted array of (variable key, value)
// entries. Binding a value copies the array into a new node that also stores
// the new value inline, so one binding is one allocation. The empty context is
// the null pointer.
//
// Each node has two counts:
//   refs        who can make this node current: snapshots, captures held by
//               executors and pending handlers, guards, thread slots;
//   value_refs  who can read the value stored inline: 1 while refs > 0, plus
//               one per entry of another node that points at it.
// When refs drops to zero the node lets go of the values it points at. The
// block itself lives until value_refs drops to zero. So a value lives exactly
// as long as some context that can see it, never longer: a node that survives
// only because a later node reads its value does not keep its other entries'
// values alive.
//
// The current context of a thread lives in a thread-local slot that owns one
// reference. Installing a context moves a reference in; leaving a scope
// releases whatever the slot holds and moves the saved one back. That makes
// "leave the handler" restore the thread whatever the handler did.

#include <boost/async_local/detail/block_cache.hpp>

#include <boost/async_local/detail/config.hpp>

#include <algorithm>
#include <atomic>
#if defined(__has_include) \
  && !defined(BOOST_ASYNC_LOCAL_NO_SINGLE_THREADED_COUNTS)
# if __has_include(<sys/single_threaded.h>)
#  include <sys/single_threaded.h>
#  define BOOST_ASYNC_LOCAL_HAS_LIBC_SINGLE_THREADED 1
# endif
#endif
#include <cstddef>
#include <cstdint>
#include <new>
#include <type_traits>
#include <utility>

namespace boost {
namespace async_local {
namespace detail {

struct node;

struct entry
{
  std::uint64_t key;  // a variable's id; ids are never reused
  node* owner;        // the node whose inline value this is
  void const* value;  // points into owner
};

struct node
{
  std::atomic<std::size_t> refs;
  std::atomic<std::size_t> value_refs;
  void (*destroy)(node*) noexcept;  // destroys the inline value, frees the block
  std::uint32_t size;
  // node_zoned: the last entry is a zone's (zone_key), the one test an
  // operation makes, once a zone exists, to know whether it is in one.
  // node_replacement: variable::disable made this context in place of
  // another (a value_node<replacement>).
  // node_no_flow: suppress_flow made this context, or it was bound inside
  // one that was: it is current, but work initiated in it captures the
  // empty context. Such a context may have no entries at all.
  // node_watched: some entry is a watched variable's (see watched_bit).
  // Fills what was padding.
  std::uint32_t flags;
  entry* entries;
};

enum : std::uint32_t
{
  node_zoned = 1,
  node_replacement = 2,
  node_no_flow = 4,
  node_watched = 8
};

// The key under which a zone (zone.hpp) is bound in a context: never a
// variable's (their keys count up from 1), and the largest, so that a
// zone binding is always a context's last entry.
constexpr std::uint64_t zone_key = ~std::uint64_t(0);

// Keys: one per variable object, from one global counter, so a new variable
// never sees an old one's values even when it lives at the same address.
BOOST_ASYNC_LOCAL_SYMBOL_VISIBLE inline std::atomic<std::uint64_t>
  key_counter{0};

inline std::uint64_t next_key() noexcept
{
  return key_counter.fetch_add(1, std::memory_order_relaxed) + 1;
}

// Variables with a change callback (watched variables) take keys with this
// bit set. Keys are sorted, so their entries are a context's last ones
// (before a zone's), and a context knows from its last entries alone, when
// it is made, whether it binds one (node_watched).
constexpr std::uint64_t watched_bit = std::uint64_t(1) << 62;

// A watched variable's callback, shared by the variable and every binding
// of it (a binding may outlive the variable, and a change is reported from
// the binding's entry). Counted; `key` is the variable's current key, and
// 0 once it is destroyed: an entry under another key is not reported.
struct watcher
{
  std::atomic<std::size_t> refs;
  std::atomic<std::uint64_t> key;
  void (*call)(watcher&, void const*, void const*, bool) noexcept;
  void (*destroy)(watcher*) noexcept;
};

// Lookup is a linear scan over at most 8 entries (no hashing, no branches
// beyond the compare), and a binary search above that.
constexpr std::uint32_t linear_lookup_limit = 8;

inline entry const* find_entry(node const* n, std::uint64_t key) noexcept
{
  entry const* const e = n->entries;
  entry const* const end = e + n->size;
  entry const* const it = std::lower_bound(e, end, key,
      [](entry const& x, std::uint64_t k) { return x.key < k; });
  return (it != end && it->key == key) ? it : nullptr;
}

inline void const* find(node const* n, std::uint64_t key) noexcept
{
  entry const* e = n->entries;
  std::uint32_t const size = n->size;
  if (size <= linear_lookup_limit)
  {
    for (std::uint32_t i = 0; i < size; ++i)
      if (e[i].key == key)
        return e[i].value;
    return nullptr;
  }
  entry const* it = std::lower_bound(e, e + size, key,
      [](entry const& x, std::uint64_t k) { return x.key < k; });
  return (it != e + size && it->key == key) ? it->value : nullptr;
}

// True while the process has only ever had one thread (glibc 2.32 and
// later say so, and libstdc++'s shared_ptr relies on it the same way). Then
// no other thread can touch a count, and counting needs no locked
// instruction. The flag turns false inside pthread_create, before the new
// thread exists, and the thread's start synchronises with it, so counts
// written plainly before are seen by the new thread. It is read on every
// count, never cached. Threads glibc does not know of (a raw clone(), or
// pthread_create in a dlmopen namespace, which has a flag of its own) leave
// it true: a program that makes such threads and shares contexts with them
// defines BOOST_ASYNC_LOCAL_NO_SINGLE_THREADED_COUNTS (shared_ptr has the
// same limit and no such switch).
inline bool single_threaded() noexcept
{
#if defined(BOOST_ASYNC_LOCAL_HAS_LIBC_SINGLE_THREADED)
  return ::__libc_single_threaded != 0;
#else
  return false;
#endif
}

inline void increment(std::atomic<std::size_t>& count) noexcept
{
  if (single_threaded())
    count.store(count.load(std::memory_order_relaxed) + 1,
        std::memory_order_relaxed);
  else
    count.fetch_add(1, std::memory_order_relaxed);
}

inline void add_ref(node* n) noexcept
{
  if (n)
    increment(n->refs);
}

// Releasing the last reference (or value reference) need not write the
// count: its holder is the only one who can see the node, and nobody can
// take a new reference without holding one. So a count of 1 seen with
// acquire ordering (which pairs with the other holders' releases) ends the
// node without a locked instruction. This is the common case for run() and
// set(), where a binding is made, used and dropped on one thread.
inline bool drop(std::atomic<std::size_t>& count) noexcept
{
  std::size_t const n = count.load(std::memory_order_acquire);
  if (n == 1)
    return true;
  if (single_threaded())
  {
    count.store(n - 1, std::memory_order_relaxed);
    return false;
  }
  return count.fetch_sub(1, std::memory_order_acq_rel) == 1;
}

inline void release_value(node* n) noexcept
{
  if (drop(n->value_refs))
    n->destroy(n);
}

// The last reference went: let go of the values the node pins. Out of line,
// so that the inline part of release() stays a test and a decrement.
BOOST_ASYNC_LOCAL_NOINLINE inline void release_last(node* n) noexcept
{
  for (std::uint32_t i = 0; i < n->size; ++i)
    if (n->entries[i].owner != n)
      release_value(n->entries[i].owner);
  release_value(n);
}

inline void release(node* n) noexcept
{
  if (n && drop(n->refs))
    release_last(n);
}

// One block: the node header, the inline value (if any), then the entries.
template <class T>
struct value_node : node
{
  template <class... Args>
  explicit value_node(Args&&... args)
    : value(std::forward<Args>(args)...)
  {
  }

  T value;
};

struct no_value {};

inline void retain_watcher(watcher* w) noexcept
{
  w->refs.fetch_add(1, std::memory_order_relaxed);
}

inline void release_watcher(watcher* w) noexcept
{
  if (w->refs.fetch_sub(1, std::memory_order_acq_rel) == 1)
    w->destroy(w);
}

// The block of a watched variable's value: the watcher at a fixed place
// after the node header, whatever T's alignment, so that a change is
// reported from an entry's owner without knowing T.
struct watched_node_base : node
{
  watcher* watched_by;  // one reference
};

template <class T>
struct watched_node : watched_node_base
{
  template <class... Args>
  explicit watched_node(watcher* w, Args&&... args)
    : value(std::forward<Args>(args)...)
  {
    watched_by = w;
    retain_watcher(w);
  }

  ~watched_node()
  {
    release_watcher(watched_by);
  }

  T value;
};

// make_node<watched<T>>(base, key, watcher, args...) binds a watched
// variable's value.
template <class T>
struct watched;

template <class T>
struct block_of
{
  using type = value_node<T>;
};

template <class T>
struct block_of<watched<T>>
{
  using type = watched_node<T>;
};

// The inline value of a context that variable::disable made in place of
// the current one (drop_from_current): the binding it stands for, so that
// a restore_guard whose binding that was still finds it current, on
// whichever thread the context is. An identity, never dereferenced.
struct replacement
{
  node const* from;
};

// The inline value of a context that suppress_flow made: the same entries,
// flagged node_no_flow.
struct suppression {};

// The inline value of a context that variable::reset made: the variable is
// bound to a value another node holds (the entry), not to one of its own.
struct shared_value
{
  entry bound;
};

template <class Block>
constexpr std::size_t entries_offset() noexcept
{
  return (sizeof(Block) + alignof(entry) - 1) / alignof(entry) * alignof(entry);
}

// Blocks of fundamental alignment are recycled (see block_cache.hpp).
template <class Block>
void* allocate_block(std::size_t bytes)
{
  if constexpr (alignof(Block) > __STDCPP_DEFAULT_NEW_ALIGNMENT__)
    return ::operator new(bytes, std::align_val_t(alignof(Block)));
  else
    return block_cache::allocate(bytes);
}

template <class Block>
void deallocate_block(void* p, std::size_t bytes) noexcept
{
  if constexpr (alignof(Block) > __STDCPP_DEFAULT_NEW_ALIGNMENT__)
  {
#if defined(__cpp_sized_deallocation)
    ::operator delete(p, bytes, std::align_val_t(alignof(Block)));
#else
    (void)bytes;
    ::operator delete(p, std::align_val_t(alignof(Block)));
#endif
  }
  else
  {
    block_cache::deallocate(p, bytes);
  }
}

template <class T>
void destroy_value_node(node* n) noexcept
{
  using block = typename block_of<T>::type;
  std::size_t const bytes = entries_offset<block>() + n->size * sizeof(entry);
  static_cast<block*>(n)->~block();
  deallocate_block<block>(n, bytes);
}

// Makes the node for `base` with `key`
// - bound to T(args...), for a value type T, and for watched<T> to
//   T(args...) of a watcher's variable (args: the watcher first);
// - bound to the value of the entry `shared_value::bound`, for shared_value;
// - removed, for no_value and replacement (the caller says it is bound);
// - as it is, for suppression, which flags the result node_no_flow.
// The result owns one reference, and is node_no_flow when `base` is.
// Returns null when the result would be the empty context (and flows).
template <class T, class... Args>
node* make_node(node const* base, std::uint64_t key, Args&&... args)
{
  constexpr bool keeps = std::is_same<T, suppression>::value;
  constexpr bool binds = !keeps && !std::is_same<T, no_value>::value
    && !std::is_same<T, replacement>::value;
  using block = typename block_of<T>::type;

  std::uint32_t const base_size = base ? base->size : 0;
  entry const* const base_entries = base ? base->entries : nullptr;
  entry const* const pos = std::lower_bound(base_entries,
      base_entries + base_size, key,
      [](entry const& x, std::uint64_t k) { return x.key < k; });
  bool const present = pos != base_entries + base_size && pos->key == key;

  std::uint32_t size = base_size;
  if (binds && !present)
    ++size;
  if (!binds && !keeps && present)
    --size;
  // Callers unbind only what is bound.
  BOOST_ASYNC_LOCAL_ASSERT(binds || keeps || present);
  std::uint32_t const flow = keeps
    || (base && (base->flags & node_no_flow)) ? node_no_flow : 0u;
  if (size == 0 && !flow)
    return nullptr;

  std::size_t const bytes = entries_offset<block>() + size * sizeof(entry);
  void* mem = allocate_block<block>(bytes);
  block* n;
  try
  {
    n = ::new (mem) block(std::forward<Args>(args)...);
  }
  catch (...)
  {
    deallocate_block<block>(mem, bytes);
    throw;
  }
  n->refs.store(1, std::memory_order_relaxed);
  n->value_refs.store(1, std::memory_order_relaxed);
  n->destroy = &destroy_value_node<T>;
  n->size = size;
  n->entries = reinterpret_cast<entry*>(
      static_cast<unsigned char*>(mem) + entries_offset<block>());

  // Copy the base's entries in key order, replacing, inserting or dropping
  // `key`; every copied entry pins its owner's value.
  entry* out = n->entries;
  auto copy = [&](entry const* from, entry const* to)
  {
    for (; from != to; ++from, ++out)
    {
      ::new (static_cast<void*>(out)) entry(*from);
      increment(out->owner->value_refs);
    }
  };
  copy(base_entries, pos);
  if constexpr (std::is_same<T, shared_value>::value)
  {
    ::new (static_cast<void*>(out)) entry{key, n->value.bound.owner,
      n->value.bound.value};
    increment(out++->owner->value_refs);
  }
  else if constexpr (binds)
  {
    ::new (static_cast<void*>(out++)) entry{key, n, std::addressof(n->value)};
  }
  copy(present && !keeps ? pos + 1 : pos, base_entries + base_size);
  bool const zoned = size && n->entries[size - 1].key == zone_key;
  std::uint32_t const variables = size - (zoned ? 1 : 0);
  n->flags = (zoned ? node_zoned : 0u)
    | (variables && (n->entries[variables - 1].key & watched_bit)
        ? node_watched : 0u)
    | (std::is_same<T, replacement>::value ? node_replacement : 0u)
    | flow;
  return n;
}

// The thread's current context. The slot owns one reference.
BOOST_ASYNC_LOCAL_SYMBOL_VISIBLE inline thread_local node*
  current_node = nullptr;

// The switch (enable.hpp). While it is off, new work captures nothing and
// variables read nothing. BOOST_ASYNC_LOCAL_DISABLE turns it off for good,
// as a constant, so that the compiler removes all it guards: then no
// context is ever made, and the slot is never touched.
#if defined(BOOST_ASYNC_LOCAL_DISABLE)
constexpr bool compiled_in = false;
#else
constexpr bool compiled_in = true;
#endif

BOOST_ASYNC_LOCAL_SYMBOL_VISIBLE inline std::atomic<bool>
  switched_on{true};

// Relaxed: the switch orders nothing; work initiated after a thread sees
// the change follows it.
inline bool enabled() noexcept
{
  return compiled_in && switched_on.load(std::memory_order_relaxed);
}

inline node* current() noexcept
{
  if constexpr (!compiled_in)
    return nullptr;
  return current_node;
}

// Set for good when the first watched variable is made. Until then, a
// change of the current context costs the test of this flag and nothing
// else. Relaxed: a thread that installs a context binding a watched
// variable got it from whoever made it, after the variable was made.
BOOST_ASYNC_LOCAL_SYMBOL_VISIBLE inline std::atomic<bool>
  watching{false};

inline bool binds_watched(node const* n) noexcept
{
  return n && (n->flags & node_watched);
}

// The watched entries of `n`: the tail of its table before a zone's entry.
inline void watched_range(node const* n, entry const*& first,
    entry const*& last) noexcept
{
  first = last = nullptr;
  if (!binds_watched(n))
    return;
  last = n->entries + n->size;
  if (last[-1].key == zone_key)
    --last;
  first = std::lower_bound(static_cast<entry const*>(n->entries), last,
      watched_bit,
      [](entry const& x, std::uint64_t k) { return x.key < k; });
}

// True while this thread calls change callbacks (notify_change); then a
// change a callback makes is not reported at once but after the callback,
// as part of the same walk, so that reports reach each callback in the
// order the thread saw the values. `deferred_switch` is that change's
// context_switch.
BOOST_ASYNC_LOCAL_SYMBOL_VISIBLE inline thread_local bool notifying = false;
BOOST_ASYNC_LOCAL_SYMBOL_VISIBLE inline thread_local bool
  deferred_switch = false;

// Calls the callback of each watched variable whose binding differs
// between `from` and `to` (by identity: a new binding of an equal value is
// a change), in key order, while propagation is on.
inline void report_changes(node const* from, node const* to,
    bool context_switch) noexcept
{
  entry const *a, *a_end, *b, *b_end;
  watched_range(from, a, a_end);
  watched_range(to, b, b_end);
  while (a != a_end || b != b_end)
  {
    entry const* e;
    void const* previous = nullptr;
    void const* next = nullptr;
    if (b == b_end || (a != a_end && a->key < b->key))
      previous = (e = a++)->value;
    else if (a == a_end || b->key < a->key)
      next = (e = b++)->value;
    else
    {
      previous = (e = a++)->value;
      next = b++->value;
    }
    if (previous == next)
      continue;
    // A callback may switch propagation off: the rest are not called.
    if (!switched_on.load(std::memory_order_relaxed))
      return;
    watcher& w = *static_cast<watched_node_base const*>(e->owner)->watched_by;
    if (w.key.load(std::memory_order_relaxed) == e->key)
      w.call(w, previous, next, context_switch);
  }
}

// The current context changed from `from` to `to`, and the slot holds
// `to`: reports the changes, and then, for as long as the callbacks leave
// another context current (an assign in a callback), the changes from the
// one reported to that. A change made inside a callback and undone before
// it returns (a run) is not reported. Out of line: only a program with
// watched variables gets here.
BOOST_ASYNC_LOCAL_NOINLINE inline void notify_change(node* from, node* to,
    bool context_switch) noexcept
{
  if (from == to)
    return;
  if (notifying)
  {
    deferred_switch = context_switch;
    return;
  }
  if (!switched_on.load(std::memory_order_relaxed))
    return;
  notifying = true;
  // The walk holds both contexts: a callback may release the slot's.
  add_ref(from);
  add_ref(to);
  for (;;)
  {
    deferred_switch = context_switch;
    report_changes(from, to, context_switch);
    node* const now = current_node;
    if (now == to)
      break;
    add_ref(now);
    release(from);
    from = to;
    to = now;
    context_switch = deferred_switch;
  }
  notifying = false;
  release(from);
  release(to);
}

// Called wherever the current context changes, after the slot has `to`
// and before `from` is released. context_switch: the change is a
// captured context installed or left (a hop, a snapshot's run), not a
// variable's own run, set, assign, reset or disable. The flag tests are
// inline: a hop whose contexts bind no watched variable makes no call.
inline void changed(node* from, node* to, bool context_switch) noexcept
{
  if (compiled_in && watching.load(std::memory_order_relaxed)
      && (binds_watched(from) || binds_watched(to)))
    notify_change(from, to, context_switch);
}

// At thread exit, the slot's reference is released, in case something left
// the thread bound: a guard that was never undone, or one undone out of order
// (see restore_guard). Only a guard can leave a binding outside a scope, so
// only making one registers this (once per thread); scopes and hops never
// pay for it.
struct slot_cleanup
{
  ~slot_cleanup()
  {
    release(std::exchange(current_node, nullptr));
  }
};

BOOST_ASYNC_LOCAL_SYMBOL_VISIBLE inline thread_local bool
  slot_cleanup_registered = false;

BOOST_ASYNC_LOCAL_NOINLINE inline void register_slot_cleanup_now() noexcept
{
  static thread_local slot_cleanup at_exit;
  (void)at_exit;
  slot_cleanup_registered = true;
}

inline void register_slot_cleanup() noexcept
{
  if (!slot_cleanup_registered)
    register_slot_cleanup_now();
}

// Leaves a region: puts `saved` back in the slot and releases whatever the
// region left there.
inline void leave_region(node* saved, bool context_switch) noexcept
{
  node* const left = std::exchange(current_node, saved);
  changed(left, saved, context_switch);
  release(left);
}

// Replaces the current context by `next` (one reference, taken over)
// outside any scope: the new context may be the thread's for good.
inline void replace_current(node* next) noexcept
{
  register_slot_cleanup();
  leave_region(next, false);
}

// True when `n` was made under suppress_flow: work initiated in it
// captures the empty context.
inline bool flow_suppressed(node const* n) noexcept
{
  return n && (n->flags & node_no_flow);
}

// A new reference to the current context `n` (not null), as it is.
//
// The slot's reference belongs to this thread alone. When it is the only
// reference (a count of 1, read with acquire ordering so that it pairs with
// the release of whoever held the others), no other thread can reach the
// count, and the new reference is a plain store. So the usual hop on one
// thread (post from a handler whose own reference is the last one left)
// takes one locked instruction, the release when the handler ends, not two.
inline void share_current(node* n) noexcept
{
  if (n->refs.load(std::memory_order_acquire) == 1)
    n->refs.store(2, std::memory_order_relaxed);
  else
    increment(n->refs);
}

// A new reference to the current context, to capture for new work.
//
// While the switch is off, or the flow suppressed (suppress_flow), nothing:
// the tests cost two loads only when there is a context to capture.
inline node* acquire_current() noexcept
{
  node* n = current();
  if (n)
  {
    if (!enabled() || flow_suppressed(n))
      return nullptr;
    share_current(n);
  }
  return n;
}

// The binding `n` stands for: `n` itself, or, for a context that
// variable::disable made, the one it replaced (through any number of
// disables in a row). The guard that compares holds its own binding, so
// that address is not reused while the comparison can matter, except for a
// replaced context freed at once (a disable inside a scope, where only the
// thread held it): a later guard's binding could then take its address and
// be taken for it, and that guard would restore as guards do.
inline node const* stands_for(node const* n) noexcept
{
  if (n && (n->flags & node_replacement))
    return static_cast<value_node<replacement> const*>(n)->value.from;
  return n;
}

// Replaces the thread's current context, if it binds `key`, by one that
// does not (variable::disable), releasing what it held now. Out of line: it
// allocates. On exhaustion the context stays: its values then live until it
// is left. When nothing else was bound the thread is left with the empty
// context: a guard whose binding that was then restores nothing, which
// looks the same (its previous context differed at most by the variable).
BOOST_ASYNC_LOCAL_NOINLINE inline void drop_from_current(
    std::uint64_t key) noexcept
{
  node* const n = current();
  if (!n || !find(n, key))
    return;
  try
  {
    replace_current(
        make_node<replacement>(n, key, replacement{stands_for(n)}));
  }
  catch (...)
  {
  }
}

// Runs a region with `owned` installed; on exit, whatever the region left in
// the slot is released and the previous context is put back.
// context_switch: false for a variable's own run and exit (see changed).
class scope
{
public:
  explicit scope(node* owned, bool context_switch = true) noexcept
    : context_switch_(context_switch)
  {
    if constexpr (compiled_in)
    {
      saved_ = std::exchange(current_node, owned);
      changed(saved_, owned, context_switch);
    }
    else
    {
      release(owned);  // null: nothing makes a context
    }
  }

  scope(scope const&) = delete;
  scope& operator=(scope const&) = delete;

  ~scope()
  {
    if constexpr (compiled_in)
      leave_region(saved_, context_switch_);
  }

private:
  node* saved_ = nullptr;
  bool context_switch_;
};

} // namespace detail
} // namespace async_local
} // namespace boost

#endif // BOOST_ASYNC_LOCAL_DETAIL_CONTEXT_HPP
