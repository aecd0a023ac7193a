//
// Copyright (c) 2026 The Boost.AsyncLocal authors
//
// Distributed under the Boost Software License, Version 1.0. (See accompanying
// file LICENSE_1_0.txt or copy at http://www.boost.org/LICENSE_1_0.txt)
//

#ifndef BOOST_ASYNC_LOCAL_DETAIL_BLOCK_CACHE_HPP
#define BOOST_ASYNC_LOCAL_DETAIL_BLOCK_CACHE_HPP

// Context nodes are recycled through a small cache per thread, the way Asio
// recycles the memory of its operations: a binding made and dropped in a hot
// path (variable::run around each request, set() in a handler) then makes no
// call to the allocator.
//
// Blocks come in size classes of 64 bytes up to 512 bytes; the cache keeps
// at most `depth` free blocks of each class, so a thread holds at most
// 9 KiB it is not using. Larger blocks go straight to operator new. A block
// freed on another thread goes to that thread's cache. A thread's cache is
// emptied when the thread exits. Under AddressSanitizer, cached blocks are
// poisoned, so a use after release is still reported.

#include <boost/async_local/detail/config.hpp>

#include <cstddef>
#include <new>

#if defined(__SANITIZE_ADDRESS__)
# define BOOST_ASYNC_LOCAL_ASAN 1
#elif defined(__has_feature)
# if __has_feature(address_sanitizer)
#  define BOOST_ASYNC_LOCAL_ASAN 1
# endif
#endif

#if defined(BOOST_ASYNC_LOCAL_ASAN)
# include <sanitizer/asan_interface.h>
#endif

namespace boost {
namespace async_local {
namespace detail {

class block_cache
{
public:
  static constexpr std::size_t granule = 64;
  static constexpr std::size_t classes = 8;
  static constexpr unsigned char depth = 4;

  // A block of at least `bytes`, aligned for any fundamental type.
  static void* allocate(std::size_t bytes)
  {
    std::size_t const c = class_of(bytes);
    if (c >= classes)
      return ::operator new(bytes);
    state& s = tls_;
    if (free_block* b = s.head[c])
    {
      unpoison(b, size_of(c));
      s.head[c] = b->next;
      --s.count[c];
      return b;
    }
    return ::operator new(size_of(c));
  }

  // Gives back a block that allocate(bytes) returned, on any thread.
  static void deallocate(void* p, std::size_t bytes) noexcept
  {
    std::size_t const c = class_of(bytes);
    if (c >= classes)
      return free_now(p, bytes);
    state& s = tls_;
    if (s.count[c] < depth && (s.phase == open || register_cleanup(s)))
    {
      free_block* b = ::new (p) free_block{s.head[c]};
      poison(b, size_of(c));
      s.head[c] = b;
      ++s.count[c];
      return;
    }
    free_now(p, size_of(c));
  }

  // Frees every block this thread's cache holds.
  static void trim() noexcept
  {
    state& s = tls_;
    for (std::size_t c = 0; c < classes; ++c)
    {
      while (free_block* b = s.head[c])
      {
        unpoison(b, size_of(c));
        s.head[c] = b->next;
        free_now(b, size_of(c));
      }
      s.count[c] = 0;
    }
  }

private:
  struct free_block
  {
    free_block* next;
  };

  enum phase_t : unsigned char { unregistered, open, closed };

  // Trivially destructible and constant-initialised, so that reaching it
  // is a plain thread-local access.
  struct state
  {
    free_block* head[classes];
    unsigned char count[classes];
    phase_t phase;
  };

  static inline thread_local state tls_{};

  static constexpr std::size_t class_of(std::size_t bytes) noexcept
  {
    return bytes == 0 ? 0 : (bytes - 1) / granule;
  }

  static constexpr std::size_t size_of(std::size_t c) noexcept
  {
    return (c + 1) * granule;
  }

  static void free_now(void* p, std::size_t bytes) noexcept
  {
#if defined(__cpp_sized_deallocation)
    ::operator delete(p, bytes);
#else
    (void)bytes;
    ::operator delete(p);
#endif
  }

  // The first block a thread caches registers a thread_local whose
  // destructor empties the cache at thread exit; blocks released after that
  // (by other thread_local destructors) are freed at once.
  BOOST_ASYNC_LOCAL_NOINLINE static bool register_cleanup(state& s) noexcept
  {
    if (s.phase == closed)
      return false;
    struct cleanup
    {
      ~cleanup()
      {
        tls_.phase = closed;
        trim();
      }
    };
    static thread_local cleanup at_exit;
    (void)at_exit;
    s.phase = open;
    return true;
  }

  static void poison(void* p, std::size_t bytes) noexcept
  {
#if defined(BOOST_ASYNC_LOCAL_ASAN)
    ASAN_POISON_MEMORY_REGION(p, bytes);
#else
    (void)p;
    (void)bytes;
#endif
  }

  static void unpoison(void* p, std::size_t bytes) noexcept
  {
#if defined(BOOST_ASYNC_LOCAL_ASAN)
    ASAN_UNPOISON_MEMORY_REGION(p, bytes);
#else
    (void)p;
    (void)bytes;
#endif
  }
};

} // namespace detail
} // namespace async_local
} // namespace boost

#endif // BOOST_ASYNC_LOCAL_DETAIL_BLOCK_CACHE_HPP
